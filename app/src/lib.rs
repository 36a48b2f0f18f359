//! Stoa's application: the storefront pages, their server functions and (with the `ssr`
//! feature) the domain code and SQL behind them.

// The app's parts, lowest first: each may use the ones above it in this list, never
// one below (`tests/integration/architecture.rs` checks it). The staff area (`admin`)
// is a client of the capabilities; only the route table below mounts it.
pub mod accounts;
pub mod admin;
pub mod audit;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod components;
#[cfg(feature = "ssr")]
pub mod funnel;
pub mod integrations;
pub mod inventory;
pub mod kernel;
pub mod layout;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod promotions;
pub mod settings;
pub mod vitals;
pub mod webhooks;
// Test support (a fresh database per test, fixtures, the architecture checks), built
// with `ssr` so tests and the site share one build of this crate.
#[cfg(feature = "ssr")]
#[doc(hidden)]
pub mod testing;

use crate::accounts::pages::{
    AccountPage, AddressBookPage, ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage,
    VerifyPage,
};
use crate::accounts::two_factor::pages::{LoginCodePage, SecurityPage};
use crate::cart::actions::CartActions;
use crate::cart::page::CartPage;
use crate::catalog::api::get_navigation;
use crate::catalog::pages::{CategoryPage, HomePage, ProductPage, SearchPage};
use crate::checkout::pages::{CheckoutPage, OrderPage, OrderStatusPage};
use crate::components::not_found::NotFound;
use crate::kernel::site::NavigationResource;
use crate::layout::{SiteFooter, SiteHeader};
use admin::audit::page::AuditLogPage;
use admin::categories::page::CategoriesPage;
use admin::dashboard::page::DashboardPage;
use admin::integrations::page::IntegrationsPage;
use admin::orders::pages::{OrderDetailPage, OrderListPage};
use admin::pages::{AdminLayout, CustomerPage, CustomersPage, SettingsPage};
use admin::pricing::page::ShippingTaxPage;
use admin::products::pages::{CatalogImportPage, ProductEditorPage, ProductListPage};
use admin::promotions::page::{PromotionEditorPage, PromotionsPage};
use admin::staff::page::StaffPage;
use admin::stock::page::StockPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                {page_security_policy()}
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1f4b3f" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let navigation: NavigationResource = Resource::new(|| (), |_| get_navigation());
    provide_context(navigation);
    // Effects run only in the browser, after hydration: tests and styles can rely on this mark.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        #[cfg(feature = "hydrate")]
        crate::vitals::reporter::start();
    });

    view! {
        <Router>
            <ShopFrame />
        </Router>
    }
}

/// Everything inside the router: the cart's actions (so no-JavaScript form errors reach
/// them), header, routes and footer.
#[component]
fn ShopFrame() -> impl IntoView {
    // A form posted without JavaScript comes back with its error in the address; the
    // router hands it to actions created inside <Routes> only, so hand it on to these.
    let query = leptos_router::hooks::use_query_map().get_untracked();
    if let (Some(error), Some(path)) = (query.get("__err"), query.get("__path")) {
        provide_context(leptos::server::ServerActionError::new(&path, &error));
    }
    let cart = CartActions::provide();
    crate::accounts::actions::SessionActions::provide(cart);
    view! {
        <SiteHeader />
        <main id="main" tabindex="-1">
            // Async: the whole page, <title> and status code included, is ready before the
            // first byte, so crawlers and browsers without JavaScript get complete pages.
            <Routes fallback=NotFound>
                <Route path=path!("") view={Lazy::<Home>::new()} ssr=SsrMode::Async />
                <Route path=path!("/category/:slug") view={Lazy::<Category>::new()} ssr=SsrMode::Async />
                <Route path=path!("/search") view={Lazy::<Search>::new()} ssr=SsrMode::Async />
                <Route path=path!("/product/:slug") view={Lazy::<Product>::new()} ssr=SsrMode::Async />
                <Route path=path!("/cart") view={Lazy::<Cart>::new()} ssr=SsrMode::Async />
                <Route path=path!("/checkout") view={Lazy::<Checkout>::new()} ssr=SsrMode::Async />
                <Route path=path!("/order/:number") view={Lazy::<Order>::new()} ssr=SsrMode::Async />
                <Route path=path!("/order-status") view={Lazy::<OrderStatus>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/login") view={Lazy::<Login>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/login/code") view={Lazy::<LoginCode>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/security") view={Lazy::<Security>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/register") view={Lazy::<Register>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/verify") view={Lazy::<Verify>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/forgot") view={Lazy::<ForgotPassword>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/reset") view={Lazy::<ResetPassword>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account/addresses") view={Lazy::<AddressBook>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("/admin") view={Lazy::<StaffArea>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<Dashboard>::new()} ssr=SsrMode::Async />
                    <Route path=path!("products") view={Lazy::<ProductList>::new()} ssr=SsrMode::Async />
                    <Route path=path!("products/new") view={Lazy::<ProductEditor>::new()} ssr=SsrMode::Async />
                    <Route path=path!("products/:id") view={Lazy::<ProductEditor>::new()} ssr=SsrMode::Async />
                    <Route path=path!("import") view={Lazy::<CatalogImport>::new()} ssr=SsrMode::Async />
                    <Route path=path!("categories") view={Lazy::<Categories>::new()} ssr=SsrMode::Async />
                    <Route path=path!("stock") view={Lazy::<Stock>::new()} ssr=SsrMode::Async />
                    <Route path=path!("orders") view={Lazy::<OrderList>::new()} ssr=SsrMode::Async />
                    <Route path=path!("orders/:number") view={Lazy::<OrderDetail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers") view={Lazy::<Customers>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/:id") view={Lazy::<Customer>::new()} ssr=SsrMode::Async />
                    <Route path=path!("audit") view={Lazy::<AuditLog>::new()} ssr=SsrMode::Async />
                    <Route path=path!("shipping-tax") view={Lazy::<ShippingTax>::new()} ssr=SsrMode::Async />
                    <Route path=path!("promotions") view={Lazy::<Promotions>::new()} ssr=SsrMode::Async />
                    <Route path=path!("promotions/new") view={Lazy::<PromotionEditor>::new()} ssr=SsrMode::Async />
                    <Route path=path!("promotions/:id") view={Lazy::<PromotionEditor>::new()} ssr=SsrMode::Async />
                    <Route path=path!("settings") view={Lazy::<Settings>::new()} ssr=SsrMode::Async />
                    <Route path=path!("staff") view={Lazy::<Staff>::new()} ssr=SsrMode::Async />
                    <Route path=path!("integrations") view={Lazy::<Integrations>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </main>
        <SiteFooter />
    }
}

/// A route whose page is loaded when first needed: with `cargo leptos build --split`, its
/// code (and whatever only it uses) is a WASM file of its own, fetched when the shopper
/// opens the page instead of with every page. `$route` names the route, `$page` is the
/// page component.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    Home => HomePage,
    Category => CategoryPage,
    Search => SearchPage,
    Product => ProductPage,
    Cart => CartPage,
    Checkout => CheckoutPage,
    Order => OrderPage,
    OrderStatus => OrderStatusPage,
    Account => AccountPage,
    Login => LoginPage,
    LoginCode => LoginCodePage,
    Security => SecurityPage,
    Register => RegisterPage,
    Verify => VerifyPage,
    ForgotPassword => ForgotPasswordPage,
    ResetPassword => ResetPasswordPage,
    AddressBook => AddressBookPage,
    StaffArea => AdminLayout,
    Dashboard => DashboardPage,
    ProductList => ProductListPage,
    ProductEditor => ProductEditorPage,
    CatalogImport => CatalogImportPage,
    Categories => CategoriesPage,
    Stock => StockPage,
    OrderList => OrderListPage,
    OrderDetail => OrderDetailPage,
    Customers => CustomersPage,
    Customer => CustomerPage,
    AuditLog => AuditLogPage,
    Settings => SettingsPage,
    Staff => StaffPage,
    Integrations => IntegrationsPage,
    ShippingTax => ShippingTaxPage,
    Promotions => PromotionsPage,
    PromotionEditor => PromotionEditorPage,
}

/// The policy of a rendered page, allowing the scripts that carry the nonce Leptos gave
/// this render. It travels in the page itself, first thing in `<head>`, written by the same
/// render as the scripts, so the two always agree; `server::security` adds the header part
/// (`frame-ancestors`, which only a header can carry).
///
/// `payment_origins` (the checkout page only, when cards go through Stripe) may load
/// scripts, frames and requests from the payment provider too.
#[cfg(feature = "ssr")]
pub fn page_policy(nonce: &str, payment_origins: &[String]) -> String {
    let extra: String = payment_origins.iter().map(|o| format!(" {o}")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'{extra}; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'{extra}; frame-src 'self'{extra}; \
         object-src 'none'; base-uri 'none'; form-action 'self'"
    )
}

#[cfg(feature = "ssr")]
fn page_security_policy() -> impl IntoView {
    let nonce = crate::components::meta::page_nonce();
    let on_checkout = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|request| request.uri.path() == "/checkout");
    let payment_origins = match leptos::prelude::use_context::<crate::payments::PaymentGateways>() {
        Some(gateways) if on_checkout => gateways
            .stripe_browser()
            .map(crate::payments::stripe::StripeBrowserSettings::origins)
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    view! { <meta http-equiv="Content-Security-Policy" content=page_policy(&nonce, &payment_origins) /> }
}

/// The shell is rendered on the server only.
#[cfg(not(feature = "ssr"))]
fn page_security_policy() -> impl IntoView {}
