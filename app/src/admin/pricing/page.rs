//! `/admin/shipping-tax` (admins): zones (where the store delivers), whether prices include
//! tax, tax categories with their rate in each zone, the tax category of product
//! categories, and the shipping methods of each zone with their rates.

use crate::admin::pricing::api::{
    shipping_and_tax, AddTaxCategory, SaveShippingMethod, SaveShippingZone, SaveTaxSettings,
    SaveZoneTaxRates, SetCategoryTaxCategory,
};
use crate::admin::ui::{field_error, field_error_id, successes, toast_results, LabelledField};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::pricing::model::{
    CategoryTaxRow, PricingSettings, ShippingMethodRow, TaxCategoryRow, ZoneRow,
};
use leptos::prelude::*;

/// Every action of the page; a success of any reloads it.
#[derive(Clone, Copy)]
struct Actions {
    tax: ServerAction<SaveTaxSettings>,
    add_zone: ServerAction<SaveShippingZone>,
    edit_zone: ServerAction<SaveShippingZone>,
    rates: ServerAction<SaveZoneTaxRates>,
    add_class: ServerAction<AddTaxCategory>,
    category_class: ServerAction<SetCategoryTaxCategory>,
    add_method: ServerAction<SaveShippingMethod>,
    edit_method: ServerAction<SaveShippingMethod>,
}

#[component]
pub fn ShippingTaxPage() -> impl IntoView {
    let actions = Actions {
        tax: ServerAction::new(),
        add_zone: ServerAction::new(),
        edit_zone: ServerAction::new(),
        rates: ServerAction::new(),
        add_class: ServerAction::new(),
        category_class: ServerAction::new(),
        add_method: ServerAction::new(),
        edit_method: ServerAction::new(),
    };
    toast_results(actions.tax, "Tax settings saved.");
    toast_results(actions.add_zone, "Zone added.");
    toast_results(actions.edit_zone, "Zone saved.");
    toast_results(actions.rates, "Tax rates saved.");
    toast_results(actions.add_class, "Tax category added.");
    toast_results(actions.category_class, "Category's tax saved.");
    toast_results(actions.add_method, "Shipping method added.");
    toast_results(actions.edit_method, "Shipping method saved.");
    let changes = [
        successes(actions.tax),
        successes(actions.add_zone),
        successes(actions.edit_zone),
        successes(actions.rates),
        successes(actions.add_class),
        successes(actions.category_class),
        successes(actions.add_method),
        successes(actions.edit_method),
    ];
    let settings = Resource::new(
        move || changes.iter().map(|c| c.get()).sum::<u32>(),
        |_| shipping_and_tax(),
    );
    let content = move || {
        Suspend::new(async move {
            match settings.await {
                Ok(settings) => view! { <Sections settings actions /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Shipping and tax · Staff area", "Zones, shipping methods and tax rates.", "/admin/shipping-tax")}
        <h1>"Shipping and tax"</h1>
        <p>"Where you deliver, what shipping costs there and the tax on each kind of product. Changes apply to the next checkout; placed orders keep what they were charged."</p>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn Sections(settings: PricingSettings, actions: Actions) -> impl IntoView {
    let currency = settings.currency.clone();
    let zones = settings.zones.clone();
    let classes = settings.tax_categories.clone();
    view! {
        <section class="panel" aria-labelledby="zones-heading">
            <h2 id="zones-heading">"Zones"</h2>
            <p>"A zone is a set of countries, optionally narrowed to postal codes (" <code>"GB: IV KW"</code> "). An address belongs to the zone naming it most precisely, else to the zone holding the rest of the world; with none, the checkout says you do not deliver there."</p>
            {action_error(actions.edit_zone)}
            <ZoneTable zones=settings.zones.clone() edit=actions.edit_zone />
            <details class="add-form">
                <summary>"Add a zone"</summary>
                {action_error(actions.add_zone)}
                <ActionForm action=actions.add_zone attr:class="account-form" attr:data-testid="add-zone-form">
                    <input type="hidden" name="form[id]" value="" />
                    <LabelledField action=actions.add_zone field="name" input_id="zone-name" label="Name">
                        <input id="zone-name" name="form[name]" required maxlength="100" placeholder="Europe" aria-describedby=field_error_id("name") />
                    </LabelledField>
                    <LabelledField action=actions.add_zone field="areas" input_id="zone-areas" label="Countries (ISO codes, comma-separated; postal-code prefixes after a colon)">
                        <textarea id="zone-areas" name="form[areas]" rows="2" maxlength="20000" placeholder="DE, AT, FR, GB: IV KW" aria-describedby=field_error_id("areas")></textarea>
                    </LabelledField>
                    <div class="check">
                        <input id="zone-rest" type="checkbox" name="form[rest_of_world]" />
                        <label for="zone-rest">"Also every address no other zone holds (rest of the world)"</label>
                    </div>
                    {field_error(actions.add_zone, "rest_of_world")}
                    <div class="check">
                        <input id="zone-shipping-taxable" type="checkbox" name="form[shipping_taxable]" />
                        <label for="zone-shipping-taxable">"Tax shipping here (at the default tax category's rate)"</label>
                    </div>
                    <button type="submit">"Add zone"</button>
                </ActionForm>
            </details>
        </section>
        <section class="panel" aria-labelledby="tax-heading">
            <h2 id="tax-heading">"Tax"</h2>
            {action_error(actions.tax)}
            <ActionForm action=actions.tax attr:class="account-form" attr:data-testid="tax-form">
                <div class="check">
                    <input id="prices-include-tax" type="checkbox" name="form[prices_include_tax]" checked=settings.prices_include_tax />
                    <label for="prices-include-tax">"Catalog prices include tax: every shopper pays the shelf price, and the tax inside it is their zone's rate"</label>
                </div>
                <button type="submit">"Save tax settings"</button>
            </ActionForm>
            <h3>"Rates by zone and tax category"</h3>
            <p>"Products take their own tax category, else their category's (or the nearest parent's), else the default. A rate left empty is 0 %. Tax is worked out per line, rounded half up to the cent."</p>
            {action_error(actions.rates)}
            <RateGrid zones=zones.clone() classes=classes.clone() rates=actions.rates />
            {action_error(actions.add_class)}
            <ActionForm action=actions.add_class attr:class="account-form inline-add" attr:data-testid="add-tax-category-form">
                <LabelledField action=actions.add_class field="name" input_id="tax-category-name" label="New tax category">
                    <input id="tax-category-name" name="form[name]" required maxlength="100" placeholder="Reduced (food, books)" aria-describedby=field_error_id("name") />
                </LabelledField>
                <button type="submit" class="secondary">"Add tax category"</button>
            </ActionForm>
            <h3>"Tax category of product categories"</h3>
            {action_error(actions.category_class)}
            <CategoryClasses rows=settings.categories classes=classes.clone() set=actions.category_class />
        </section>
        <section class="panel integrations-panel" aria-labelledby="shipping-heading">
            <h2 id="shipping-heading">"Shipping methods"</h2>
            <p>{format!("Amounts in {currency}. Each method delivers to one zone; shoppers see the active methods of their zone in this order. A flat price, or bands by the order's value (after discounts) or by its weight (products' weights added up), each band applying from its first figure up to the next band; free once the order reaches its “free from” amount.")}</p>
            {action_error(actions.edit_method)}
            <MethodTable methods=settings.methods zones=zones.clone() edit=actions.edit_method />
            <details class="add-form">
                <summary>"Add a method"</summary>
                {action_error(actions.add_method)}
                <ActionForm action=actions.add_method attr:class="account-form" attr:data-testid="add-method-form">
                    <input type="hidden" name="form[code]" value="" />
                    <LabelledField action=actions.add_method field="name" input_id="method-name" label="Name shoppers see">
                        <input id="method-name" name="form[name]" required maxlength="100" placeholder="Pick up in store" aria-describedby=field_error_id("name") />
                    </LabelledField>
                    <MethodRateFields id_prefix="method".to_owned() zones=zones.clone() row=None />
                    {field_error(actions.add_method, "zone_id")}
                    {field_error(actions.add_method, "basis")}
                    {field_error(actions.add_method, "price")}
                    {field_error(actions.add_method, "bands")}
                    {field_error(actions.add_method, "free_over")}
                    <div class="check">
                        <input id="method-active" type="checkbox" name="form[active]" checked=true />
                        <label for="method-active">"Offer it at checkout"</label>
                    </div>
                    {field_error(actions.add_method, "active")}
                    <button type="submit">"Add method"</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn ZoneTable(zones: Vec<ZoneRow>, edit: ServerAction<SaveShippingZone>) -> impl IntoView {
    if zones.is_empty() {
        return view! { <p class="empty">"No zones yet: add one so shoppers can check out."</p> }
            .into_any();
    }
    view! {
        <table class="admin-table stack-on-phone" data-testid="zones">
            <caption class="visually-hidden">"Zones"</caption>
            <thead><tr><th scope="col">"Zone"</th><th scope="col">"Countries"</th><th scope="col">"Shipping taxed"</th></tr></thead>
            <tbody>
                {zones.into_iter().map(|zone| {
                    let id = |what: &str| format!("zone-{}-{what}", zone.id);
                    let (name_id, areas_id, rest_id, taxable_id, position_id) =
                        (id("name"), id("areas"), id("rest"), id("taxable"), id("position"));
                    let shown_areas = match (zone.areas.is_empty(), zone.rest_of_world) {
                        (true, true) => "The rest of the world".to_owned(),
                        (false, true) => format!("{}, and the rest of the world", zone.areas),
                        _ => zone.areas.clone(),
                    };
                    view! {
                        <tr>
                            <td data-label="Zone">
                                <strong>{zone.name.clone()}</strong>
                                <details>
                                    <summary>"Edit"</summary>
                                    <ActionForm action=edit attr:class="account-form">
                                        <input type="hidden" name="form[id]" value=zone.id.to_string() />
                                        <label for=name_id.clone()>"Name"</label>
                                        <input id=name_id name="form[name]" required maxlength="100" value=zone.name.clone() />
                                        <label for=areas_id.clone()>"Countries (postal-code prefixes after a colon)"</label>
                                        <textarea id=areas_id name="form[areas]" rows="2" maxlength="20000">{zone.areas.clone()}</textarea>
                                        <div class="check">
                                            <input id=rest_id.clone() type="checkbox" name="form[rest_of_world]" checked=zone.rest_of_world />
                                            <label for=rest_id>"Also the rest of the world"</label>
                                        </div>
                                        <div class="check">
                                            <input id=taxable_id.clone() type="checkbox" name="form[shipping_taxable]" checked=zone.shipping_taxable />
                                            <label for=taxable_id>"Tax shipping here"</label>
                                        </div>
                                        <label for=position_id.clone()>"Place in the list (lowest first)"</label>
                                        <input id=position_id name="form[position]" inputmode="numeric" maxlength="4" value=zone.position.to_string() />
                                        <button type="submit" class="secondary">"Save zone"</button>
                                    </ActionForm>
                                </details>
                            </td>
                            <td data-label="Countries">{shown_areas}</td>
                            <td data-label="Shipping taxed">{if zone.shipping_taxable { "Yes" } else { "No" }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One form per zone: its rate for each tax category.
#[component]
fn RateGrid(
    zones: Vec<ZoneRow>,
    classes: Vec<TaxCategoryRow>,
    rates: ServerAction<SaveZoneTaxRates>,
) -> impl IntoView {
    view! {
        <div class="rate-grid" data-testid="tax-rates">
            {zones.into_iter().map(|zone| {
                let classes = classes.clone();
                let label = format!("Tax rates in {}", zone.name);
                let button = format!("Save rates in {}", zone.name);
                view! {
                    <ActionForm action=rates attr:class="account-form rate-form" attr:aria-label=label>
                        <h4>{zone.name.clone()}</h4>
                        <input type="hidden" name="form[zone_id]" value=zone.id.to_string() />
                        {classes.into_iter().zip(zone.rates.clone()).map(|(class, rate)| {
                            let input_id = format!("rate-{}-{}", zone.id, class.id);
                            let label = if class.is_default { format!("{} (default) %", class.name) } else { format!("{} %", class.name) };
                            view! {
                                <label for=input_id.clone()>{label}</label>
                                <input id=input_id name=format!("form[rates][{}]", class.id) inputmode="decimal" maxlength="8" value=rate />
                            }
                        }).collect_view()}
                        <button type="submit" class="secondary">{button}</button>
                    </ActionForm>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn CategoryClasses(
    rows: Vec<CategoryTaxRow>,
    classes: Vec<TaxCategoryRow>,
    set: ServerAction<SetCategoryTaxCategory>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No product categories yet."</p> }.into_any();
    }
    view! {
        <table class="admin-table stack-on-phone" data-testid="category-tax">
            <caption class="visually-hidden">"Tax category of each product category"</caption>
            <thead><tr><th scope="col">"Category"</th><th scope="col">"Tax category"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let select_id = format!("category-tax-{}", row.category_id);
                    let classes = classes.clone();
                    view! {
                        <tr>
                            <td data-label="Category"><label for=select_id.clone()>{row.category.clone()}</label></td>
                            <td data-label="Tax category">
                                <ActionForm action=set attr:class="inline-form">
                                    <input type="hidden" name="form[category_id]" value=row.category_id.to_string() />
                                    <select id=select_id name="form[tax_category_id]">
                                        <option value="" selected=row.tax_category_id.is_none()>"From its parent"</option>
                                        {classes.into_iter().map(|class| view! {
                                            <option value=class.id.to_string() selected=row.tax_category_id == Some(class.id)>{class.name}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="secondary" aria-label=format!("Save the tax category of {}", row.category)>"Save"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Zone, rate basis, flat price, bands and free-from threshold of a method (new: `row`
/// is `None`).
#[component]
fn MethodRateFields(
    id_prefix: String,
    zones: Vec<ZoneRow>,
    row: Option<ShippingMethodRow>,
) -> impl IntoView {
    let id = |what: &str| format!("{id_prefix}-{what}");
    let (zone_id, basis_id, price_id, bands_id, free_id) = (
        id("zone"),
        id("basis"),
        id("price"),
        id("bands"),
        id("free-over"),
    );
    let chosen_zone = row.as_ref().map(|r| r.zone_id);
    let basis = row
        .as_ref()
        .map_or_else(|| "flat".to_owned(), |r| r.basis.clone());
    let value = |field: fn(&ShippingMethodRow) -> &String| {
        row.as_ref().map(|r| field(r).clone()).unwrap_or_default()
    };
    let (price, bands, free_over) = (
        value(|r| &r.price),
        value(|r| &r.bands),
        value(|r| &r.free_over),
    );
    view! {
        <label for=zone_id.clone()>"Delivers to zone"</label>
        <select id=zone_id name="form[zone_id]" required aria-describedby=field_error_id("zone_id")>
            {zones.into_iter().map(|zone| view! {
                <option value=zone.id.to_string() selected=chosen_zone == Some(zone.id)>{zone.name}</option>
            }).collect_view()}
        </select>
        <label for=basis_id.clone()>"Price"</label>
        <select id=basis_id name="form[basis]" aria-describedby=field_error_id("basis")>
            <option value="flat" selected=basis == "flat">"One flat price"</option>
            <option value="order_value" selected=basis == "order_value">"Bands by order value"</option>
            <option value="weight" selected=basis == "weight">"Bands by weight"</option>
        </select>
        <label for=price_id.clone()>"Flat price"</label>
        <input id=price_id name="form[price]" inputmode="decimal" maxlength="16" value=price aria-describedby=field_error_id("price") />
        <label for=bands_id.clone()>"Bands, one per line: from (grams, or order value) and price, e.g. “0 4.95” then “2000 8.95”"</label>
        <textarea id=bands_id name="form[bands]" rows="3" maxlength="2000" aria-describedby=field_error_id("bands")>{bands}</textarea>
        <label for=free_id.clone()>"Free from order value (empty: never)"</label>
        <input id=free_id name="form[free_over]" inputmode="decimal" maxlength="16" value=free_over aria-describedby=field_error_id("free_over") />
    }
}

#[component]
fn MethodTable(
    methods: Vec<ShippingMethodRow>,
    zones: Vec<ZoneRow>,
    edit: ServerAction<SaveShippingMethod>,
) -> impl IntoView {
    view! {
        <table class="admin-table stack-on-phone" data-testid="shipping-methods">
            <caption class="visually-hidden">"Shipping methods"</caption>
            <thead><tr>
                <th scope="col">"Method"</th><th scope="col">"Zone"</th><th scope="col">"Price"</th>
                <th scope="col">"Free from"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {methods.into_iter().map(|m| {
                    let id = |what: &str| format!("method-{}-{what}", m.code);
                    let (name_id, position_id, active_id) = (id("name"), id("position"), id("active"));
                    let free_shown = if m.free_over.is_empty() { "never".to_owned() } else { m.free_over.clone() };
                    let zones = zones.clone();
                    let row = m.clone();
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
                                        <MethodRateFields id_prefix=format!("method-{}", m.code) zones row=Some(row) />
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
                            <td data-label="Zone">{m.zone_name.clone()}</td>
                            <td data-label="Price">{m.price_summary.clone()}</td>
                            <td data-label="Free from">{free_shown}</td>
                            <td data-label="Status">{if m.active { view! { <span>"Offered"</span> }.into_any() } else { view! { <span class="badge">"Off"</span> }.into_any() }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
