//! `/admin/shipping-tax` (admins): whether prices include tax, the default rate and each
//! category's own rate; the shipping methods shoppers choose from at checkout.

use crate::admin::pricing::api::{
    shipping_and_tax, SaveShippingMethod, SaveTaxSettings, SetCategoryTaxRate,
};
use crate::admin::ui::{field_error, field_error_id, successes, toast_results, LabelledField};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::pricing::model::{CategoryRateRow, PricingSettings, ShippingMethodRow};
use leptos::prelude::*;

#[component]
pub fn ShippingTaxPage() -> impl IntoView {
    let tax = ServerAction::<SaveTaxSettings>::new();
    let add = ServerAction::<SaveShippingMethod>::new();
    let edit = ServerAction::<SaveShippingMethod>::new();
    let rate = ServerAction::<SetCategoryTaxRate>::new();
    toast_results(tax, "Tax settings saved.");
    toast_results(add, "Shipping method added.");
    toast_results(edit, "Shipping method saved.");
    toast_results(rate, "Category rate saved.");
    let changes = (
        successes(tax),
        successes(add),
        successes(edit),
        successes(rate),
    );
    let settings = Resource::new(
        move || {
            (
                changes.0.get(),
                changes.1.get(),
                changes.2.get(),
                changes.3.get(),
            )
        },
        |_| shipping_and_tax(),
    );
    let content = move || {
        Suspend::new(async move {
            match settings.await {
                Ok(settings) => view! { <Sections settings tax add edit rate /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Shipping and tax · Staff area", "Shipping methods and tax rates.", "/admin/shipping-tax")}
        <h1>"Shipping and tax"</h1>
        <p>"What shoppers pay on top of their items. Changes apply to the next checkout; placed orders keep what they were charged."</p>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn Sections(
    settings: PricingSettings,
    tax: ServerAction<SaveTaxSettings>,
    add: ServerAction<SaveShippingMethod>,
    edit: ServerAction<SaveShippingMethod>,
    rate: ServerAction<SetCategoryTaxRate>,
) -> impl IntoView {
    let currency = settings.currency.clone();
    view! {
        <section class="panel" aria-labelledby="tax-heading">
            <h2 id="tax-heading">"Tax"</h2>
            {action_error(tax)}
            <ActionForm action=tax attr:class="account-form" attr:data-testid="tax-form">
                <div class="check">
                    <input id="prices-include-tax" type="checkbox" name="form[prices_include_tax]" checked=settings.prices_include_tax />
                    <label for="prices-include-tax">"Catalog prices include tax (shown as “includes” at checkout)"</label>
                </div>
                <LabelledField action=tax field="default_rate" input_id="default-rate" label="Tax rate where a category has none (%)">
                    <input id="default-rate" name="form[default_rate]" inputmode="decimal" required maxlength="8"
                        value=settings.default_rate.clone() aria-describedby=field_error_id("default_rate") />
                </LabelledField>
                <button type="submit">"Save tax settings"</button>
            </ActionForm>
            <h3>"Rates by category"</h3>
            <p>"A category's rate applies to it and to its subcategories that have none."</p>
            {action_error(rate)}
            <CategoryRates rows=settings.category_rates rate />
            <ActionForm action=rate attr:class="account-form" attr:data-testid="category-rate-form">
                <label for="rate-category">"Category"</label>
                <select id="rate-category" name="form[category_id]">
                    {settings.categories.into_iter().map(|(id, path)| view! { <option value=id.to_string()>{path}</option> }).collect_view()}
                </select>
                <LabelledField action=rate field="rate" input_id="category-rate" label="Rate (%)">
                    <input id="category-rate" name="form[rate]" inputmode="decimal" required maxlength="8" aria-describedby=field_error_id("rate") />
                </LabelledField>
                <button type="submit" class="secondary">"Set rate"</button>
            </ActionForm>
        </section>
        <section class="panel integrations-panel" aria-labelledby="shipping-heading">
            <h2 id="shipping-heading">"Shipping methods"</h2>
            <p>{format!("Amounts in {currency}. Shoppers see the active methods in this order; a method is free once the order's items reach its “free from” amount.")}</p>
            {action_error(edit)}
            <MethodTable methods=settings.methods edit />
            <h3>"Add a method"</h3>
            {action_error(add)}
            <ActionForm action=add attr:class="account-form" attr:data-testid="add-method-form">
                <input type="hidden" name="form[code]" value="" />
                <LabelledField action=add field="name" input_id="method-name" label="Name shoppers see">
                    <input id="method-name" name="form[name]" required maxlength="100" placeholder="Pick up in store" aria-describedby=field_error_id("name") />
                </LabelledField>
                <LabelledField action=add field="price" input_id="method-price" label="Price">
                    <input id="method-price" name="form[price]" inputmode="decimal" required maxlength="16" aria-describedby=field_error_id("price") />
                </LabelledField>
                <LabelledField action=add field="free_over" input_id="method-free-over" label="Free from (empty: never)">
                    <input id="method-free-over" name="form[free_over]" inputmode="decimal" maxlength="16" aria-describedby=field_error_id("free_over") />
                </LabelledField>
                <div class="check">
                    <input id="method-active" type="checkbox" name="form[active]" checked=true />
                    <label for="method-active">"Offer it at checkout"</label>
                </div>
                {field_error(add, "active")}
                <button type="submit">"Add method"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CategoryRates(
    rows: Vec<CategoryRateRow>,
    rate: ServerAction<SetCategoryTaxRate>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No category has a rate of its own."</p> }.into_any();
    }
    view! {
        <table class="admin-table stack-on-phone" data-testid="category-rates">
            <caption class="visually-hidden">"Categories with a rate of their own"</caption>
            <thead><tr><th scope="col">"Category"</th><th scope="col">"Rate"</th><th scope="col">"Remove"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td data-label="Category">{row.category.clone()}</td>
                        <td data-label="Rate">{format!("{} %", row.rate)}</td>
                        <td data-label="Remove">
                            <ActionForm action=rate attr:class="inline-form">
                                <input type="hidden" name="form[category_id]" value=row.category_id.to_string() />
                                <input type="hidden" name="form[rate]" value="" />
                                <button type="submit" class="secondary" aria-label=format!("Remove the rate of {}", row.category)>"Remove"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn MethodTable(
    methods: Vec<ShippingMethodRow>,
    edit: ServerAction<SaveShippingMethod>,
) -> impl IntoView {
    view! {
        <table class="admin-table stack-on-phone" data-testid="shipping-methods">
            <caption class="visually-hidden">"Shipping methods"</caption>
            <thead><tr>
                <th scope="col">"Method"</th><th scope="col">"Price"</th>
                <th scope="col">"Free from"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {methods.into_iter().map(|m| {
                    let id = |what: &str| format!("method-{}-{what}", m.code);
                    let (name_id, price_id, free_id, position_id, active_id) =
                        (id("name"), id("price"), id("free"), id("position"), id("active"));
                    let price_shown = m.price.clone();
                    let free_shown = if m.free_over.is_empty() { "never".to_owned() } else { m.free_over.clone() };
                    view! {
                        <tr>
                            <td data-label="Method">
                                <strong>{m.name.clone()}</strong>
                                <details>
                                    <summary>"Edit"</summary>
                                    <ActionForm action=edit attr:class="account-form">
                                        <input type="hidden" name="form[code]" value=m.code.clone() />
                                        <label for=name_id.clone()>"Name shoppers see"</label>
                                        <input id=name_id name="form[name]" required maxlength="100" value=m.name.clone() />
                                        <label for=price_id.clone()>"Price"</label>
                                        <input id=price_id name="form[price]" inputmode="decimal" required maxlength="16" value=m.price.clone() />
                                        <label for=free_id.clone()>"Free from (empty: never)"</label>
                                        <input id=free_id name="form[free_over]" inputmode="decimal" maxlength="16" value=m.free_over.clone() />
                                        <label for=position_id.clone()>"Place in the list (lowest first)"</label>
                                        <input id=position_id name="form[position]" inputmode="numeric" maxlength="4" value=m.position.to_string() />
                                        <div class="check">
                                            <input id=active_id.clone() type="checkbox" name="form[active]" checked=m.active />
                                            <label for=active_id>"Offer it at checkout"</label>
                                        </div>
                                        <button type="submit" class="secondary">"Save"</button>
                                    </ActionForm>
                                </details>
                            </td>
                            <td data-label="Price">{price_shown}</td>
                            <td data-label="Free from">{free_shown}</td>
                            <td data-label="Status">{if m.active { view! { <span>"Offered"</span> }.into_any() } else { view! { <span class="badge">"Off"</span> }.into_any() }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
