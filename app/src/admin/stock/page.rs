//! `/admin/stock`: the low-stock list (or a search), and a variant's ledger with the
//! adjustment and threshold forms (`?variant=ID`).

use crate::admin::stock::api::{
    get_stock_overview, get_variant_ledger, AdjustStock, SetLowStockThreshold,
};
use crate::admin::ui::{
    busy_label, field_error, field_error_id, query_param, successes, toast_results, LabelledField,
};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::inventory::model::{AdjustmentReason, StockOverview, VariantLedger};
use leptos::prelude::*;
use leptos_router::components::{Form, A};

#[component]
pub fn StockPage() -> impl IntoView {
    let search = query_param("search");
    let variant = query_param("variant");
    let adjust = ServerAction::<AdjustStock>::new();
    let threshold = ServerAction::<SetLowStockThreshold>::new();
    toast_results(adjust, "Stock adjusted.");
    toast_results(threshold, "Low-stock line saved.");
    let (adjusted, thresholds) = (successes(adjust), successes(threshold));
    let changes = move || (adjusted.get(), thresholds.get());
    let overview = Resource::new(
        move || (search.get(), changes()),
        |(search, _)| get_stock_overview(search),
    );
    let ledger = Resource::new(
        move || (variant.get().parse::<i64>().ok(), changes()),
        |(id, _)| async move {
            match id {
                Some(id) => get_variant_ledger(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let list = move || {
        Suspend::new(async move {
            match overview.await {
                Ok(overview) => {
                    view! { <StockTable overview searching=!search.get_untracked().is_empty() /> }
                        .into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    let panel = move || {
        Suspend::new(async move {
            match ledger.await {
                Ok(Some(ledger)) => view! { <LedgerPanel ledger adjust threshold /> }.into_any(),
                Ok(None) => ().into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Stock · Staff area", "Stock levels and movements.", "/admin/stock")}
        <h1>"Stock"</h1>
        <Transition fallback=|| ()>{panel}</Transition>
        <Form action="/admin/stock" attr:role="search" attr:class="admin-filters">
            <label>"Product words or exact SKU" <input type="search" name="search" maxlength="200" prop:value=move || search.get() /></label>
            <button type="submit">"Find"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading stock…"</p> }>{list}</Transition>
    }
}

#[component]
fn StockTable(overview: StockOverview, searching: bool) -> impl IntoView {
    let caption = if searching {
        "Variants matching the search".to_owned()
    } else {
        format!(
            "Low stock: {} variants at or below their line",
            overview.low_stock_count
        )
    };
    view! {
        <h2 data-testid="stock-caption">{caption}</h2>
        {overview.rows.is_empty().then(|| view! { <p class="empty">"Nothing to show."</p> })}
        <table class="admin-table" data-testid="stock-table">
            <thead><tr><th scope="col">"SKU"</th><th scope="col">"Product"</th><th scope="col">"Options"</th><th scope="col">"Stock"</th><th scope="col">"Low-stock line"</th></tr></thead>
            <tbody>
                {overview.rows.into_iter().map(|r| {
                    let low = r.stock <= r.low_stock_threshold;
                    view! {
                        <tr class:low-stock=low>
                            <td><A href=format!("/admin/stock?variant={}", r.variant_id)>{r.sku}</A></td>
                            <td><A href=format!("/admin/products/{}", r.product_id)>{r.product_name}</A></td>
                            <td>{r.options}</td>
                            <td>{r.stock}{low.then_some(" (low)")}</td>
                            <td>{r.low_stock_threshold}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn LedgerPanel(
    ledger: VariantLedger,
    adjust: ServerAction<AdjustStock>,
    threshold: ServerAction<SetLowStockThreshold>,
) -> impl IntoView {
    let row = ledger.row;
    let adjust_variant = row.variant_id.to_string();
    let threshold_variant = adjust_variant.clone();
    view! {
        <section class="panel" aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">{row.sku.clone()} " · " {row.product_name.clone()} " " <small>{row.options.clone()}</small></h2>
            <p>"In stock: " <strong data-testid="variant-stock">{row.stock}</strong></p>
            <div class="panel-columns">
                <div>
                    <h3>"Adjust stock"</h3>
                    {action_error(adjust)}
                    <ActionForm action=adjust attr:class="account-form">
                        <input type="hidden" name="form[variant_id]" value=adjust_variant />
                        <input type="hidden" name="form[request_key]" value=ledger.request_key />
                        <label for="adjust-reason">"Reason"</label>
                        <select id="adjust-reason" name="form[reason]" aria-describedby=field_error_id("reason")>
                            {AdjustmentReason::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                        {field_error(adjust, "reason")}
                        <LabelledField action=adjust field="change" input_id="adjust-change" label="Change (e.g. 12 or -3)">
                            <input id="adjust-change" name="form[change]" required inputmode="numeric" aria-describedby=field_error_id("change") />
                        </LabelledField>
                        <label for="adjust-note">"Note (optional)"</label>
                        <input id="adjust-note" name="form[note]" maxlength="500" />
                        <button type="submit" disabled=move || adjust.pending().get()>{busy_label(adjust, "Apply", "Applying…")}</button>
                    </ActionForm>
                    <h3>"Low-stock line"</h3>
                    {action_error(threshold)}
                    <ActionForm action=threshold attr:class="inline-form">
                        <input type="hidden" name="id" value=threshold_variant />
                        <label for="threshold">"Low at or below"</label>
                        <input id="threshold" name="threshold" value=row.low_stock_threshold.to_string() inputmode="numeric" size="6" aria-describedby=field_error_id("threshold") />
                        <button type="submit" class="secondary" disabled=move || threshold.pending().get()>{busy_label(threshold, "Save", "Saving…")}</button>
                    </ActionForm>
                    {field_error(threshold, "threshold")}
                </div>
                <div>
                    <h3>"Movements"</h3>
                    <table class="admin-table" data-testid="movements">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Reason"</th><th scope="col">"Change"</th><th scope="col">"After"</th><th scope="col">"Note"</th></tr></thead>
                        <tbody>
                            {ledger.movements.into_iter().map(|m| view! {
                                <tr><td>{m.at}</td><td>{m.reason}</td><td>{format!("{:+}", m.delta)}</td><td>{m.stock_after}</td><td>{m.note}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        </section>
    }
    .into_any()
}
