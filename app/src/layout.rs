//! The frame around every storefront page: skip link, header with search and departments,
//! footer.

use crate::cart::actions::use_cart_actions;
use crate::cart::api::get_cart;
use crate::kernel::site::NavigationResource;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let navigation = use_context::<NavigationResource>();
    let query = use_query_map();
    // Keep what the shopper searched for in the box while they look at the results.
    let current_search = move || query.read().get("q").unwrap_or_default();
    let departments = move || {
        navigation.map(|navigation| {
            Suspend::new(async move {
                let departments = navigation.await.map(|n| n.departments).unwrap_or_default();
                departments
                    .into_iter()
                    .map(|d| {
                        let href = format!("/category/{}", d.slug);
                        view! { <li><A href=href>{d.name}</A></li> }
                    })
                    .collect_view()
            })
        })
    };
    let staging_banner =
        move || {
            navigation.map(|navigation| {
                Suspend::new(async move {
                    let staging = navigation.await.map(|n| n.site.staging).unwrap_or(false);
                    staging.then(|| view! {
                    <div class="staging-banner" role="note" data-testid="staging-banner">
                        "Staging copy: nothing here is real, and no email leaves this server."
                    </div>
                })
                })
            })
        };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Transition fallback=|| ()>{staging_banner}</Transition>
        <header class="site-header">
            <div class="header-row">
                <a href="/" class="brand">"Stoa"</a>
                <Form action="/search" attr:class="search-form" attr:role="search">
                    <label for="site-search" class="visually-hidden">"Search products"</label>
                    <input
                        id="site-search"
                        type="search"
                        name="q"
                        maxlength="200"
                        placeholder="Search products"
                        prop:value=current_search
                        value=current_search
                    />
                    <button type="submit">"Search"</button>
                </Form>
                <a href="/account" class="account-link">"Account"</a>
                <CartLink />
            </div>
            <nav aria-label="Departments" class="department-nav">
                <ul>
                    <Transition fallback=|| ()>{departments}</Transition>
                </ul>
            </nav>
        </header>
    }
}

/// The store's name and how to reach it, from its settings.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let contact = move || {
        Suspend::new(async move {
            let site = crate::components::meta::site_info().await;
            let email = (!site.contact_email.is_empty()).then(|| {
                let href = format!("mailto:{}", site.contact_email);
                view! { <p><a href=href>{site.contact_email.clone()}</a></p> }
            });
            let address = (!site.contact_address.is_empty()).then(|| {
                view! { <address data-testid="store-address">{site.contact_address.lines().map(|line| view! { {line.to_owned()} <br /> }).collect_view()}</address> }
            });
            view! { <p class="site-footer-name">{site.store_name}</p> {email} {address} }
        })
    };
    view! {
        <footer class="site-footer" data-testid="site-footer">
            <Transition fallback=|| ()>{contact}</Transition>
        </footer>
    }
}

/// "Cart (3)" in the header; refreshes after every cart action.
#[component]
fn CartLink() -> impl IntoView {
    let actions = use_cart_actions();
    let cart = Resource::new(move || actions.map(|a| a.changes()), |_| get_cart());
    let count = move || Suspend::new(async move { cart.await.map(|c| c.item_count).unwrap_or(0) });
    view! {
        <a href="/cart" class="cart-link">
            "Cart "
            <span class="cart-count" data-testid="cart-count">
                <Transition fallback=|| "0">{count}</Transition>
            </span>
        </a>
    }
}
