//! The staff area's frame (`AdminLayout`, its navigation) and its simpler pages:
//! customers and settings (admin and owner).

use crate::accounts::model::CustomerRow;
use crate::accounts::model::Role;
use crate::admin::api::{
    get_customer, get_maintenance, get_staff_member, list_customers, EraseCustomer, SetMaintenance,
};
use crate::admin::model::StaffMember;
use crate::admin::ui::{toast_results, ToastRegion, Toasts, UnsavedChanges};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use leptos::prelude::*;
use leptos_router::components::{Form, Outlet, A};
use leptos_router::hooks::use_query_map;

/// The frame of every staff page: who is signed in, the navigation their role allows, the
/// page itself and the toasts. Anonymous visitors get 401 with a way to log in, customers
/// 403 (from the page's own data); the server functions check roles regardless.
///
/// The page (`<Outlet />`) is rendered outside the navigation's `<Transition>`: a route
/// view created inside a `Suspend` after an `.await` creates its resources in a different
/// order on the server and in the browser, which breaks hydration.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let member = Resource::new(|| (), |_| get_staff_member());
    let toasts = Toasts::provide();
    UnsavedChanges::provide();
    let navigation = move || {
        Suspend::new(async move {
            member
                .await
                .ok()
                .map(|member| view! { <AdminNav member /> })
        })
    };
    view! {
        <div class="admin-shell">
            <Transition fallback=|| ()>{navigation}</Transition>
            <div class="admin-main"><Outlet /></div>
        </div>
        <ToastRegion toasts />
    }
}

#[component]
fn AdminNav(member: StaffMember) -> impl IntoView {
    let role = member.role;
    let links: Vec<(&str, &str, Role)> = vec![
        ("/admin", "Dashboard", Role::Staff),
        ("/admin/products", "Products", Role::Staff),
        ("/admin/categories", "Categories", Role::Staff),
        ("/admin/stock", "Stock", Role::Staff),
        ("/admin/orders", "Orders", Role::Staff),
        ("/admin/customers", "Customers", Role::Admin),
        ("/admin/audit", "Audit log", Role::Admin),
        ("/admin/promotions", "Promotions", Role::Admin),
        ("/admin/shipping-tax", "Shipping and tax", Role::Admin),
        ("/admin/settings", "Settings", Role::Admin),
        ("/admin/integrations", "Integrations", Role::Admin),
        ("/admin/staff", "Staff", Role::Owner),
        ("/account/security", "Your security", Role::Staff),
    ];
    // Marks the navigation once it is interactive in the browser (tests wait for it).
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <nav class="admin-nav" aria-label="Staff area" data-ready=move || ready.get().to_string()>
            <p class="admin-who"><strong>{member.email}</strong><br /><small>{role.as_str()}</small></p>
            <ul>
                {links.into_iter().filter(|(_, _, needed)| role.includes(*needed)).map(|(href, label, _)| view! {
                    <li><A href=href exact=true>{label}</A></li>
                }).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        {page_meta("Customers · Staff area", "Customers.", "/admin/customers")}
        <h1>"Customers"</h1>
        <CustomerSection />
    }
}

/// `/admin/customers/{id}`: a customer and their orders.
#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let customer = Resource::new(move || id.get(), get_customer);
    let content = move || {
        Suspend::new(async move {
            match customer.await {
                Ok(detail) => {
                    let c = detail.row;
                    view! {
                        <h1>{c.name.clone()} " " <small>{c.email.clone()}</small></h1>
                        <p>"Registered " {c.registered_at} {(!c.confirmed).then_some(" (address not confirmed)")} " · "
                            <a href=format!("/admin/customers/{}/data.json", c.id) download="customer-data.json">"Export their data"</a>
                        </p>
                        <h2>"Orders"</h2>
                        {if detail.orders.is_empty() {
                            view! { <p class="empty">"No orders yet."</p> }.into_any()
                        } else {
                            view! {
                                <table class="admin-table" data-testid="customer-orders">
                                    <thead><tr><th scope="col">"Number"</th><th scope="col">"Placed"</th><th scope="col">"Items"</th><th scope="col">"Total"</th><th scope="col">"Status"</th></tr></thead>
                                    <tbody>
                                        {detail.orders.into_iter().map(|o| view! {
                                            <tr>
                                                <td><A href=format!("/admin/orders/{}", o.number)>{o.number.clone()}</A></td>
                                                <td>{o.placed_at}</td><td>{o.item_count}</td><td>{o.total}</td><td>{o.status_label}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Customer · Staff area", "A customer.", "/admin/customers")}
        <p><A href="/admin/customers">"← All customers"</A></p>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the customer…"</p> }>{content}</Transition>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        {page_meta("Settings · Staff area", "Store settings.", "/admin/settings")}
        <h1>"Settings"</h1>
        <crate::admin::store_profile::StoreSection />
        <MaintenanceSection />
        <p>"Webhooks and API keys for other systems are under " <A href="/admin/integrations">"Integrations"</A> "."</p>
    }
}

#[component]
fn CustomerSection() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("customer").unwrap_or_default());
    let erase = ServerAction::<EraseCustomer>::new();
    let customers = Resource::new(
        move || (search.get(), erase.version().get()),
        |(search, _)| list_customers(search),
    );
    let rows = move || {
        Suspend::new(async move {
            match customers.await {
                Ok(rows) if rows.is_empty() => {
                    view! { <p class="empty">"No customers match."</p> }.into_any()
                }
                Ok(rows) => view! { <CustomerTable rows erase /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    let erase_result = move || {
        erase.value().get().map(|result| match result {
            Ok(()) => view! { <p class="notice success" role="status">"The customer's personal data was erased."</p> }.into_any(),
            Err(error) => view! { <p class="notice error" role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section aria-labelledby="customers-heading">
            <h2 id="customers-heading" class="visually-hidden">"Find customers"</h2>
            <Form action="/admin/customers" attr:role="search" attr:class="inline-form">
                <label for="customer-search">"Email or name"</label>
                <input id="customer-search" type="search" name="customer" maxlength="200" prop:value=move || search.get() />
                <button type="submit">"Find"</button>
            </Form>
            {erase_result}
            <Transition fallback=|| view! { <p class="loading">"Loading customers…"</p> }>{rows}</Transition>
        </section>
    }
}

#[component]
fn CustomerTable(rows: Vec<CustomerRow>, erase: ServerAction<EraseCustomer>) -> impl IntoView {
    view! {
        <table class="admin-table" data-testid="customer-table">
            <caption class="visually-hidden">"Customers, newest first"</caption>
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Registered"</th><th scope="col">"Orders"</th><th scope="col">"Data"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let export = format!("/admin/customers/{}/data.json", c.id);
                    let confirm_id = format!("erase-confirm-{}", c.id);
                    view! {
                        <tr>
                            <td><A href=format!("/admin/customers/{}", c.id)>{c.email.clone()}</A> {(!c.confirmed).then_some(" (not confirmed)")}</td>
                            <td>{c.name}</td>
                            <td>{c.registered_at}</td>
                            <td>{c.order_count}</td>
                            <td>
                                <a href=export download="customer-data.json">"Export"</a>
                                <ActionForm action=erase attr:class="inline-form">
                                    <input type="hidden" name="id" value=c.id.to_string() />
                                    <input id=confirm_id.clone() type="checkbox" required />
                                    <label for=confirm_id>"Confirm"</label>
                                    <button type="submit" class="danger">"Erase"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn MaintenanceSection() -> impl IntoView {
    let set = ServerAction::<SetMaintenance>::new();
    toast_results(set, "Maintenance mode changed.");
    let setting = Resource::new(move || set.version().get(), |_| get_maintenance());
    let content = move || {
        Suspend::new(async move {
            match setting.await {
                Ok(current) => {
                    let (status, button, next) = if current.on {
                        (
                            "On: shoppers see the maintenance page; staff keep access.",
                            "Turn maintenance mode off",
                            "false",
                        )
                    } else {
                        (
                            "Off: the store is open.",
                            "Turn maintenance mode on",
                            "true",
                        )
                    };
                    view! {
                        <p data-testid="maintenance-status">{status}</p>
                        <ActionForm action=set attr:class="account-form">
                            <input type="hidden" name="on" value=next />
                            <label for="maintenance-message">"Message for shoppers (optional)"</label>
                            <input id="maintenance-message" type="text" name="message" maxlength="500" value=current.message />
                            <button type="submit" class=if current.on { "secondary" } else { "danger" } disabled=move || set.pending().get()>{button}</button>
                        </ActionForm>
                    }
                    .into_any()
                }
                Err(error) => {
                    view! { <p class="notice error" role="alert">{error.to_string()}</p> }
                        .into_any()
                }
            }
        })
    };
    view! {
        <section aria-labelledby="maintenance-heading">
            <h2 id="maintenance-heading">"Maintenance mode"</h2>
            {action_error(set)}
            <Transition fallback=|| ()>{content}</Transition>
        </section>
    }
}
