//! `/admin/orders` (the filtered list) and `/admin/orders/{number}` (detail, timeline and
//! the actions the order's status allows).

use crate::admin::orders::api::{
    get_staff_order, list_orders, CancelOrder, FulfilOrder, MarkOrderPaid, RefundOrder,
    RetryOrderCapture,
};
use crate::admin::ui::{
    busy_label, field_error_id, next_page_href, query_param, successes, toast_results,
    LabelledField, ListFilters, ListTable,
};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::kernel::money::format_minor;
use crate::orders::manage::model::{OrderFilter, OrderList, StaffOrder};
use crate::orders::model::{OrderStatus, PaymentAttention};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrderListPage() -> impl IntoView {
    let status = query_param("status");
    let from = query_param("from");
    let to = query_param("to");
    let customer = query_param("customer");
    let min_total = query_param("min_total");
    let max_total = query_param("max_total");
    let attention = query_param("attention");
    let before = query_param("before");
    let filter = move || OrderFilter {
        status: status.get(),
        from: from.get(),
        to: to.get(),
        customer: customer.get(),
        min_total: min_total.get(),
        max_total: max_total.get(),
        attention: attention.get(),
        before_id: before.get().parse().ok(),
    };
    let orders = Resource::new(filter, list_orders);
    let rows = move || {
        Suspend::new(async move {
            match orders.await {
                Ok(list) => view! { <OrderTable list filter=filter() /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Orders · Staff area", "Orders.", "/admin/orders")}
        <h1>"Orders"</h1>
        <ListFilters action="/admin/orders">
            <label>"Status"
                <select name="status">
                    <option value="">"Any status"</option>
                    {OrderStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || status.get() == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"From" <input type="date" name="from" prop:value=move || from.get() /></label>
            <label>"To" <input type="date" name="to" prop:value=move || to.get() /></label>
            <label>"Customer or number" <input type="search" name="customer" maxlength="200" prop:value=move || customer.get() /></label>
            <label>"Total from" <input name="min_total" inputmode="decimal" size="7" prop:value=move || min_total.get() /></label>
            <label>"to" <input name="max_total" inputmode="decimal" size="7" prop:value=move || max_total.get() /></label>
            <label>"Payment"
                <select name="attention">
                    <option value="">"Any"</option>
                    <option value="yes" selected=move || attention.get() == "yes">"Needs attention"</option>
                </select>
            </label>
        </ListFilters>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading orders…"</p> }>{rows}</Transition>
    }
}

#[component]
fn OrderTable(list: OrderList, filter: OrderFilter) -> impl IntoView {
    let next = next_page_href(
        "/admin/orders",
        &[
            ("status", filter.status),
            ("from", filter.from),
            ("to", filter.to),
            ("customer", filter.customer),
            ("min_total", filter.min_total),
            ("max_total", filter.max_total),
            ("attention", filter.attention),
        ],
        list.next_before_id,
    );
    view! {
        <ListTable
            test_id="order-table"
            caption="Orders, newest first"
            columns=&["Number", "Placed", "Customer", "Total", "Status"]
            empty="No orders match."
            is_empty=list.rows.is_empty()
            next
        >
                {list.rows.into_iter().map(|o| view! {
                    <tr>
                        <td><A href=format!("/admin/orders/{}", o.number)>{o.number.clone()}</A></td>
                        <td>{o.placed_at}</td>
                        <td>{o.name} <br /> <small>{o.email}</small></td>
                        <td>{o.total} {o.refunded.map(|r| view! { <br /> <small>"refunded " {r}</small> })}</td>
                        <td>
                            <span class="badge">{o.status.label()}</span>
                            {o.attention.map(|a| view! { <br /> <span class="badge badge-warning" data-testid="payment-attention">{a.label()}</span> })}
                        </td>
                    </tr>
                }).collect_view()}
        </ListTable>
    }
}

#[component]
pub fn OrderDetailPage() -> impl IntoView {
    let params = use_params_map();
    let number = Memo::new(move |_| params.read().get("number").unwrap_or_default());
    let paid = ServerAction::<MarkOrderPaid>::new();
    let fulfil = ServerAction::<FulfilOrder>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let refund = ServerAction::<RefundOrder>::new();
    let capture = ServerAction::<RetryOrderCapture>::new();
    toast_results(capture, "Payment captured; the order is paid.");
    toast_results(paid, "Marked paid.");
    toast_results(fulfil, "Marked shipped.");
    toast_results(cancel, "Order cancelled; its stock is back.");
    toast_results(refund, "Refund recorded.");
    let (paid_ok, fulfil_ok) = (successes(paid), successes(fulfil));
    let (cancel_ok, refund_ok) = (successes(cancel), successes(refund));
    let capture_ok = successes(capture);
    let order = Resource::new(
        move || {
            (
                number.get(),
                paid_ok.get()
                    + fulfil_ok.get()
                    + cancel_ok.get()
                    + refund_ok.get()
                    + capture_ok.get(),
            )
        },
        |(number, _)| get_staff_order(number),
    );
    let content = move || {
        Suspend::new(async move {
            match order.await {
                Ok(order) => {
                    view! { <OrderDetail order paid fulfil cancel refund capture /> }.into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Order · Staff area", "An order.", "/admin/orders")}
        <p><A href="/admin/orders">"← All orders"</A></p>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the order…"</p> }>{content}</Transition>
    }
}

#[component]
fn OrderDetail(
    order: StaffOrder,
    paid: ServerAction<MarkOrderPaid>,
    fulfil: ServerAction<FulfilOrder>,
    cancel: ServerAction<CancelOrder>,
    refund: ServerAction<RefundOrder>,
    capture: ServerAction<RetryOrderCapture>,
) -> impl IntoView {
    let receipt = order.receipt.clone();
    let currency = receipt.currency.clone();
    let money = move |minor: i64| format_minor(minor, &currency);
    let id = order.id.to_string();
    let (paid_id, fulfil_id, refund_id) = (id.clone(), id.clone(), id.clone());
    let (cancel_id, capture_id) = (id.clone(), id);
    let is_card = order.payment_provider != "manual";
    let cancel_note = match (is_card, order.status) {
        (true, OrderStatus::PendingPayment) => {
            "Cancelling voids the card authorization and puts the ordered units back in stock."
        }
        (true, _) => {
            "Cancelling refunds the card payment in full and puts the ordered units back in stock."
        }
        (false, _) => "Cancelling puts the ordered units back in stock.",
    };
    let can_retry_capture = order.can_retry_capture();
    let attention = order.attention.map(|flag| {
        let detail = order.attention_detail.clone().unwrap_or_default();
        view! {
            <div class="notice warning" role="status" data-testid="payment-attention">
                <strong>{flag.label()}</strong> " " {detail}
                {(flag == PaymentAttention::Disputed).then(|| view! {
                    <p>"Answer the dispute in Stripe's dashboard before its deadline, with what shows the order was delivered (shipping address, tracking, emails)."</p>
                })}
                {can_retry_capture.then(move || view! {
                    <p>"The card was authorized when the order was placed. Capture it now, or cancel the order to release it."</p>
                    {action_error(capture)}
                    <ActionForm action=capture attr:class="inline-form">
                        <input type="hidden" name="id" value=capture_id />
                        <button type="submit" disabled=move || capture.pending().get()>{busy_label(capture, "Retry capture", "Capturing…")}</button>
                    </ActionForm>
                })}
            </div>
        }
    });
    let (request_key, refundable) = (order.request_key.clone(), order.refundable.clone());
    let address = &receipt.address;
    let address_text = [
        address.name.clone(),
        address.line1.clone(),
        address.line2.clone(),
        format!("{} {}", address.postal_code, address.city),
        address.country.clone(),
    ]
    .into_iter()
    .filter(|l| !l.trim().is_empty())
    .collect::<Vec<_>>();
    view! {
        <div class="admin-heading">
            <h1>"Order " {receipt.number.clone()}</h1>
            <span class="badge" data-testid="order-status">{order.status.label()}</span>
        </div>
        {attention}
        <div class="panel-columns">
            <section class="panel" aria-labelledby="order-summary">
                <h2 id="order-summary">"Summary"</h2>
                <p>"Placed " {receipt.placed_at.clone()} " by " {receipt.email.clone()}</p>
                <p>"Payment: " {receipt.payment.clone()}</p>
                <p>"Shipping: " {receipt.shipping_method.clone()}</p>
                <address>{address_text.into_iter().map(|l| view! { {l} <br /> }).collect_view()}</address>
                {order.tracking_number.clone().map(|t| view! { <p>"Shipped with " {order.carrier.clone().unwrap_or_default()} ", tracking " <strong>{t}</strong></p> })}
                <table class="admin-table">
                    <thead><tr><th scope="col">"Item"</th><th scope="col">"SKU"</th><th scope="col">"Qty"</th><th scope="col">"Total"</th></tr></thead>
                    <tbody>
                        {receipt.lines.iter().map(|l| view! {
                            <tr><td>{l.product_name.clone()} " " <small>{l.option_values.join(" / ")}</small></td><td>{l.sku.clone()}</td><td>{l.quantity}</td><td>{money(l.line_total_minor)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <dl class="totals" data-testid="order-totals">
                    <dt>"Subtotal"</dt><dd>{money(receipt.totals.subtotal_minor)}</dd>
                    {receipt.discounts.iter().map(|d| view! {
                        <dt class="discount">{d.label()}</dt>
                        <dd class="discount">{format!("−{}", money(d.amount_minor))}</dd>
                    }).collect_view()}
                    <dt>"Shipping"</dt><dd>{money(receipt.totals.shipping_minor)}</dd>
                    <dt>{if receipt.totals.prices_include_tax { "Includes tax" } else { "Tax" }}</dt><dd>{money(receipt.totals.tax_minor)}</dd>
                </dl>
                <p>"Total " <strong>{money(receipt.totals.total_minor)}</strong>
                    {(order.refunded_minor > 0).then(|| view! { " · refunded " <strong data-testid="order-refunded">{money(order.refunded_minor)}</strong> })}
                </p>
            </section>
            <section class="panel" aria-labelledby="order-actions">
                <h2 id="order-actions">"Actions"</h2>
                {order.can_mark_paid().then(move || view! {
                    {action_error(paid)}
                    <ActionForm action=paid attr:class="inline-form">
                        <input type="hidden" name="id" value=paid_id />
                        <button type="submit" disabled=move || paid.pending().get()>{busy_label(paid, "Mark paid", "Marking…")}</button>
                    </ActionForm>
                })}
                {order.can(OrderStatus::Fulfilled).then(move || view! {
                    <h3>"Ship"</h3>
                    {action_error(fulfil)}
                    <ActionForm action=fulfil attr:class="account-form">
                        <input type="hidden" name="form[order_id]" value=fulfil_id />
                        <LabelledField action=fulfil field="carrier" input_id="carrier" label="Carrier">
                            <input id="carrier" name="form[carrier]" required maxlength="100" aria-describedby=field_error_id("carrier") />
                        </LabelledField>
                        <LabelledField action=fulfil field="tracking_number" input_id="tracking" label="Tracking number">
                            <input id="tracking" name="form[tracking_number]" required maxlength="100" aria-describedby=field_error_id("tracking_number") />
                        </LabelledField>
                        <button type="submit" disabled=move || fulfil.pending().get()>{busy_label(fulfil, "Mark shipped", "Saving…")}</button>
                    </ActionForm>
                })}
                {order.can_refund().then(move || view! {
                    <h3>"Refund"</h3>
                    <p>"Up to " {money(order.refundable_minor)} " can be refunded."</p>
                    {action_error(refund)}
                    <ActionForm action=refund attr:class="account-form">
                        <input type="hidden" name="form[order_id]" value=refund_id />
                        <input type="hidden" name="form[request_key]" value=request_key />
                        <LabelledField action=refund field="amount" input_id="refund-amount" label="Amount">
                            <input id="refund-amount" name="form[amount]" required inputmode="decimal" value=refundable aria-describedby=field_error_id("amount") />
                        </LabelledField>
                        <LabelledField action=refund field="reason" input_id="refund-reason" label="Reason">
                            <input id="refund-reason" name="form[reason]" required maxlength="500" aria-describedby=field_error_id("reason") />
                        </LabelledField>
                        <div class="choice">
                            <input id="refund-confirm" type="checkbox" required />
                            <label for="refund-confirm">"I confirm this refund"</label>
                        </div>
                        <button type="submit" class="danger" disabled=move || refund.pending().get()>{busy_label(refund, "Refund", "Refunding…")}</button>
                    </ActionForm>
                })}
                {order.can(OrderStatus::Cancelled).then(move || view! {
                    <h3>"Cancel"</h3>
                    <p>{cancel_note}</p>
                    {action_error(cancel)}
                    <ActionForm action=cancel attr:class="inline-form">
                        <input type="hidden" name="id" value=cancel_id />
                        <input id="cancel-confirm" type="checkbox" required />
                        <label for="cancel-confirm">"Confirm"</label>
                        <button type="submit" class="danger" disabled=move || cancel.pending().get()>{busy_label(cancel, "Cancel order", "Cancelling…")}</button>
                    </ActionForm>
                })}
            </section>
        </div>
        <section class="panel" aria-labelledby="order-timeline">
            <h2 id="order-timeline">"Timeline"</h2>
            <ol class="timeline" data-testid="order-timeline">
                {order.timeline.into_iter().map(|e| view! {
                    <li><time>{e.at}</time> " " <strong>{e.title}</strong> {(!e.detail.is_empty()).then(|| view! { " · " {e.detail} })}</li>
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}
