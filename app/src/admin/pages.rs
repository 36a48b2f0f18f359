//! `/admin`: who is signed in and what their role allows, customers (admin and owner)
//! and staff accounts (owner).

use crate::accounts::model::Role;
use crate::admin::api::{
    get_maintenance, get_staff_member, list_customers, list_staff, EraseCustomer, SetMaintenance,
};
use crate::admin::model::{CustomerRow, StaffMember};
use crate::components::notices::ErrorPanel;
use crate::site::page_meta;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminPage() -> impl IntoView {
    let member = Resource::new(|| (), |_| get_staff_member());
    let content = move || {
        Suspend::new(async move {
            match member.await {
                Ok(member) => view! { <StaffHome member /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Staff area", "Run the store.", "/admin")}
        <Transition fallback=|| view! { <p class="loading">"Loading the staff area…"</p> }>{content}</Transition>
    }
}

#[component]
fn StaffHome(member: StaffMember) -> impl IntoView {
    let role = member.role;
    view! {
        <h1>"Staff area"</h1>
        <p>"Signed in as " <strong>{member.email.clone()}</strong> " with the role " <strong data-testid="staff-role">{role.as_str()}</strong> "."</p>
        <h2>"Your role allows"</h2>
        <ul class="permissions">
            {role.permissions().iter().map(|p| view! { <li>{*p}</li> }).collect_view()}
        </ul>
        {role.includes(Role::Admin).then(|| view! { <MaintenanceSection /> })}
        {role.includes(Role::Admin).then(|| view! { <CustomerSection /> })}
        {role.includes(Role::Owner).then(|| view! { <StaffSection /> })}
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
            <h2 id="customers-heading">"Customers"</h2>
            <Form action="/admin" attr:role="search" attr:class="inline-form">
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
                            <td>{c.email.clone()} {(!c.confirmed).then_some(" (not confirmed)")}</td>
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
fn StaffSection() -> impl IntoView {
    let staff = Resource::new(|| (), |_| list_staff());
    let rows = move || {
        Suspend::new(async move {
            match staff.await {
                Ok(rows) => rows
                    .into_iter()
                    .map(|s| {
                        view! {
                            <tr>
                                <td>{s.email}</td>
                                <td>{s.name}</td>
                                <td>{s.role.as_str()}</td>
                                <td>{if s.is_active { "Active" } else { "Deactivated" }}</td>
                            </tr>
                        }
                    })
                    .collect_view()
                    .into_any(),
                Err(error) => {
                    view! { <tr><td colspan="4">{error.to_string()}</td></tr> }.into_any()
                }
            }
        })
    };
    view! {
        <section aria-labelledby="staff-heading">
            <h2 id="staff-heading">"Staff accounts"</h2>
            <p>"Create staff accounts with " <code>"stoa create-staff --email E --role R"</code> "."</p>
            <table class="admin-table">
                <caption class="visually-hidden">"Staff accounts"</caption>
                <thead><tr><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th></tr></thead>
                <tbody><Transition fallback=|| ()>{rows}</Transition></tbody>
            </table>
        </section>
    }
}

#[component]
fn MaintenanceSection() -> impl IntoView {
    let set = ServerAction::<SetMaintenance>::new();
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
    let error = move || {
        set.value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <section aria-labelledby="maintenance-heading">
            <h2 id="maintenance-heading">"Maintenance mode"</h2>
            {error}
            <Transition fallback=|| ()>{content}</Transition>
        </section>
    }
}
