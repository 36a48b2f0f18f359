//! `/admin/promotions` (the list), `/admin/promotions/new` and `/admin/promotions/:id`
//! (the editor, its schedule switches and its codes). Plain forms throughout: every
//! action works without JavaScript.

use crate::admin::promotions::api::{
    promotion_list, promotion_page, AddPromotionCode, ChangePromotion, CreatePromotion,
    GeneratePromotionCodes, SwitchPromotion,
};
use crate::admin::ui::{field_error, field_error_id, successes, toast_results};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::promotions::model::{PromotionDetail, PromotionForm, PromotionRow, PromotionStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PromotionsPage() -> impl IntoView {
    let promotions = Resource::new(|| (), |_| promotion_list());
    let content = move || {
        Suspend::new(async move {
            match promotions.await {
                Ok(rows) if rows.is_empty() => view! {
                    <p class="empty">"No promotions yet. A promotion is a sale that applies by itself, or a discount shoppers get with a code."</p>
                }
                .into_any(),
                Ok(rows) => view! { <PromotionTable rows /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Promotions · Staff area", "Sales and discount codes.", "/admin/promotions")}
        <div class="admin-heading">
            <h1>"Promotions"</h1>
            <a class="button" href="/admin/promotions/new">"New promotion"</a>
        </div>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>{content}</Transition>
    }
}

fn uses_text(row: &PromotionRow) -> String {
    match row.usage_limit {
        Some(limit) => format!("{} of {limit}", row.uses),
        None => row.uses.to_string(),
    }
}

#[component]
fn PromotionTable(rows: Vec<PromotionRow>) -> impl IntoView {
    view! {
        <table class="admin-table stack-on-phone" data-testid="promotions">
            <caption class="visually-hidden">"Promotions"</caption>
            <thead><tr>
                <th scope="col">"Promotion"</th><th scope="col">"Status"</th><th scope="col">"How"</th>
                <th scope="col">"Uses"</th><th scope="col">"Orders total"</th><th scope="col">"Discounted"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td data-label="Promotion">
                            <a href=format!("/admin/promotions/{}", row.id)><strong>{row.name.clone()}</strong></a>
                            <br /><span class="fine-print">{row.summary.clone()}</span>
                        </td>
                        <td data-label="Status"><span class=row.status.css_class()>{row.status.label()}</span></td>
                        <td data-label="How">{row.trigger.clone()}</td>
                        <td data-label="Uses">{uses_text(&row)}</td>
                        <td data-label="Orders total">{row.revenue.clone()}</td>
                        <td data-label="Discounted">{row.discounted.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn PromotionEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let create = ServerAction::<CreatePromotion>::new();
    let change = ServerAction::<ChangePromotion>::new();
    let switch = ServerAction::<SwitchPromotion>::new();
    let add_code = ServerAction::<AddPromotionCode>::new();
    let generate = ServerAction::<GeneratePromotionCodes>::new();
    toast_results(change, "Promotion saved.");
    toast_results(switch, "Promotion updated.");
    toast_results(add_code, "Code added.");
    toast_results(generate, "Codes generated.");
    let changes = (
        successes(change),
        successes(switch),
        successes(add_code),
        successes(generate),
    );
    let detail = Resource::new(
        move || {
            (
                id.get(),
                changes.0.get(),
                changes.1.get(),
                changes.2.get(),
                changes.3.get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => promotion_page(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let content = move || {
        Suspend::new(async move {
            match detail.await {
                Ok(None) => view! {
                    <h1>"New promotion"</h1>
                    {action_error(create)}
                    <ActionForm action=create attr:class="account-form promotion-form" attr:data-testid="promotion-form">
                        <PromotionFields form=PromotionForm { kind: "percent_off".into(), trigger: "automatic".into(), priority: "0".into(), ..Default::default() } action=create />
                        <button type="submit">"Create promotion"</button>
                    </ActionForm>
                }
                .into_any(),
                Ok(Some(detail)) => view! { <Existing detail change switch add_code generate /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Promotion · Staff area", "A promotion and its codes.", "/admin/promotions")}
        <p class="fine-print"><a href="/admin/promotions">"← All promotions"</a></p>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn Existing(
    detail: PromotionDetail,
    change: ServerAction<ChangePromotion>,
    switch: ServerAction<SwitchPromotion>,
    add_code: ServerAction<AddPromotionCode>,
    generate: ServerAction<GeneratePromotionCodes>,
) -> impl IntoView {
    let row = detail.row.clone();
    let id = row.id.to_string();
    let switches: Vec<(&str, &str)> = match row.status {
        PromotionStatus::Ended => vec![],
        PromotionStatus::Paused => vec![("resume", "Resume"), ("end", "End now")],
        _ => vec![("pause", "Pause"), ("end", "End now")],
    };
    let needs_code = detail.form.trigger == "code";
    view! {
        <div class="admin-heading">
            <h1>{row.name.clone()}</h1>
            <span class=row.status.css_class() data-testid="promotion-status">{row.status.label()}</span>
        </div>
        <p>{row.summary.clone()}</p>
        <dl class="stat-row" data-testid="promotion-results">
            <div><dt>"Uses"</dt><dd>{uses_text(&row)}</dd></div>
            <div><dt>"Orders total"</dt><dd>{row.revenue.clone()}</dd></div>
            <div><dt>"Discounted"</dt><dd>{row.discounted.clone()}</dd></div>
        </dl>
        {action_error(switch)}
        <div class="button-row">
            {switches.into_iter().map(|(to, label)| view! {
                <ActionForm action=switch attr:class="inline-form">
                    <input type="hidden" name="id" value=row.id.to_string() />
                    <input type="hidden" name="to" value=to />
                    <button type="submit" class="secondary">{label}</button>
                </ActionForm>
            }).collect_view()}
        </div>
        {needs_code.then(|| view! { <Codes detail=detail.clone() add_code generate /> })}
        <section class="panel" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Settings"</h2>
            {action_error(change)}
            <ActionForm action=change attr:class="account-form promotion-form" attr:data-testid="promotion-form">
                <input type="hidden" name="id" value=id.clone() />
                <PromotionFields form=detail.form.clone() action=change />
                <button type="submit">"Save promotion"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Codes(
    detail: PromotionDetail,
    add_code: ServerAction<AddPromotionCode>,
    generate: ServerAction<GeneratePromotionCodes>,
) -> impl IntoView {
    let (id, batch_id) = (detail.row.id.to_string(), detail.row.id.to_string());
    let export = format!("/admin/promotions/{}/codes.csv", detail.row.id);
    view! {
        <section class="panel" aria-labelledby="codes-heading">
            <h2 id="codes-heading">"Codes"</h2>
            <p>{format!("{} codes in all. Shoppers type them in the cart or at checkout, in any case.", detail.code_count)}
                " " <a href=export rel="external" download="" data-testid="export-codes">"Export all codes (CSV)"</a></p>
            {(!detail.codes.is_empty()).then(|| view! {
                <table class="admin-table stack-on-phone" data-testid="codes">
                    <caption class="visually-hidden">"Codes added by hand"</caption>
                    <thead><tr><th scope="col">"Code"</th><th scope="col">"Uses"</th></tr></thead>
                    <tbody>
                        {detail.codes.iter().map(|code| view! {
                            <tr>
                                <td data-label="Code"><code>{code.code.clone()}</code></td>
                                <td data-label="Uses">{match code.max_uses { Some(max) => format!("{} of {max}", code.uses), None => code.uses.to_string() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!detail.batches.is_empty()).then(|| view! {
                <ul class="plain-list" data-testid="batches">
                    {detail.batches.iter().map(|(batch, count)| view! { <li>{format!("Batch {batch}: {count} single-use codes")}</li> }).collect_view()}
                </ul>
            })}
            <div class="two-forms">
                <ActionForm action=add_code attr:class="account-form" attr:data-testid="add-code-form">
                    <h3>"Add a code"</h3>
                    {action_error(add_code)}
                    <input type="hidden" name="form[promotion_id]" value=id />
                    <label for="new-code">"Code"</label>
                    <input id="new-code" name="form[code]" required maxlength="40" placeholder="SPRING20" autocapitalize="characters" aria-describedby=field_error_id("code") />
                    {field_error(add_code, "code")}
                    <label for="new-code-uses">"Uses allowed (empty: as the promotion allows)"</label>
                    <input id="new-code-uses" name="form[max_uses]" inputmode="numeric" maxlength="8" aria-describedby=field_error_id("max_uses") />
                    {field_error(add_code, "max_uses")}
                    <button type="submit" class="secondary">"Add code"</button>
                </ActionForm>
                <ActionForm action=generate attr:class="account-form" attr:data-testid="generate-codes-form">
                    <h3>"Generate single-use codes"</h3>
                    {action_error(generate)}
                    <input type="hidden" name="form[promotion_id]" value=batch_id />
                    <label for="batch-count">"How many (up to 10,000)"</label>
                    <input id="batch-count" name="form[count]" inputmode="numeric" required maxlength="6" aria-describedby=field_error_id("count") />
                    {field_error(generate, "count")}
                    <label for="batch-prefix">"Starting with (optional)"</label>
                    <input id="batch-prefix" name="form[prefix]" maxlength="12" placeholder="XMAS" aria-describedby=field_error_id("prefix") />
                    {field_error(generate, "prefix")}
                    <button type="submit" class="secondary">"Generate codes"</button>
                </ActionForm>
            </div>
        </section>
    }
}

/// The promotion's fields, named `form[...]` for `PromotionForm`.
#[component]
fn PromotionFields<S>(form: PromotionForm, action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = crate::kernel::error::AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let kinds = [
        ("percent_off", "A percentage off"),
        ("amount_off", "An amount off the order"),
        ("free_shipping", "Free shipping"),
        ("buy_x_get_y", "Buy X, get Y free or discounted"),
    ];
    let text = move |id: &'static str,
                     field: &'static str,
                     label: &'static str,
                     value: String,
                     hint: &'static str| {
        view! {
            <label for=id>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="fine-print field-hint">{hint}</p> })}
            <input id=id name=format!("form[{field}]") value=value maxlength="200" aria-describedby=field_error_id(field) />
            {field_error(action, field)}
        }
    };
    let automatic = form.trigger != "code";
    view! {
        <fieldset>
            <legend>"What it gives"</legend>
            <label for="promotion-name">"Name shoppers see"</label>
            <input id="promotion-name" name="form[name]" required maxlength="100" value=form.name.clone() placeholder="Spring sale" aria-describedby=field_error_id("name") />
            {field_error(action, "name")}
            <label for="promotion-kind">"Kind"</label>
            <select id="promotion-kind" name="form[kind]">
                {kinds.into_iter().map(|(value, label)| view! { <option value=value selected=form.kind == value>{label}</option> }).collect_view()}
            </select>
            {field_error(action, "kind")}
            {text("promotion-percent", "percent", "Percentage off (%)", form.percent.clone(), "For a percentage off; for buy X get Y, empty means the Y items are free.")}
            {text("promotion-amount", "amount", "Amount off", form.amount.clone(), "For an amount off the order.")}
            <div class="field-pair">
                <div>{text("promotion-buy", "buy", "Buy (X)", form.buy.clone(), "")}</div>
                <div>{text("promotion-get", "get", "Get (Y)", form.get.clone(), "")}</div>
            </div>
        </fieldset>
        <fieldset>
            <legend>"What it applies to"</legend>
            {text("promotion-products", "products", "Products (slugs)", form.products.clone(), "Leave products and categories empty for the whole order.")}
            {text("promotion-categories", "categories", "Categories (slugs, with their subcategories)", form.categories.clone(), "")}
            {text("promotion-min-subtotal", "min_subtotal", "Minimum spend on those items", form.min_subtotal.clone(), "")}
            {text("promotion-min-quantity", "min_quantity", "Minimum number of those items", form.min_quantity.clone(), "")}
        </fieldset>
        <fieldset>
            <legend>"When"</legend>
            <div class="field-pair">
                <div>
                    <label for="promotion-starts">"Starts (UTC; empty: now)"</label>
                    <input id="promotion-starts" type="datetime-local" name="form[starts_at]" value=form.starts_at.clone() aria-describedby=field_error_id("starts_at") />
                    {field_error(action, "starts_at")}
                </div>
                <div>
                    <label for="promotion-ends">"Ends (UTC; empty: until ended)"</label>
                    <input id="promotion-ends" type="datetime-local" name="form[ends_at]" value=form.ends_at.clone() aria-describedby=field_error_id("ends_at") />
                    {field_error(action, "ends_at")}
                </div>
            </div>
        </fieldset>
        <fieldset>
            <legend>"How shoppers get it"</legend>
            <div class="choice">
                <input type="radio" id="trigger-automatic" name="form[trigger]" value="automatic" checked=automatic />
                <label for="trigger-automatic">"Automatically, whenever the cart qualifies"</label>
            </div>
            <div class="choice">
                <input type="radio" id="trigger-code" name="form[trigger]" value="code" checked=!automatic />
                <label for="trigger-code">"With a code (add codes after saving)"</label>
            </div>
            {field_error(action, "trigger")}
            <div class="check">
                <input id="promotion-combines" type="checkbox" name="form[combines]" checked=form.combines.is_some() />
                <label for="promotion-combines">"Combines with other promotions that combine"</label>
            </div>
            {text("promotion-priority", "priority", "Priority", form.priority.clone(), "Applied first among combined promotions, and preferred when two save the same.")}
            {text("promotion-usage-limit", "usage_limit", "Total uses allowed (empty: no limit)", form.usage_limit.clone(), "")}
            {text("promotion-customer-limit", "per_customer_limit", "Uses per customer (empty: no limit)", form.per_customer_limit.clone(), "Counted by account, and by email for guests.")}
        </fieldset>
    }
}
