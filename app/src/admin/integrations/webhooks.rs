//! The webhook half of `/admin/integrations`: each endpoint with its events, last
//! delivery and error rate over the last 7 days; the delivery log, where a failed
//! delivery (or all of an endpoint's) is tried again now; and the form that adds one.

use crate::admin::api::{get_webhooks, AddWebhook, RetryWebhookDeliveries, SetWebhookActive};
use crate::admin::ui::toast_results;
use crate::components::notices::action_error;
use crate::integrations::model::share;
use crate::webhooks::model::{WebhookDeliveryRow, WebhookEndpointRow};
use leptos::prelude::*;

const EVENTS: [(&str, &str); 7] = [
    ("order_created", "order.created"),
    ("order_paid", "order.paid"),
    ("order_fulfilled", "order.fulfilled"),
    ("order_refunded", "order.refunded"),
    ("order_cancelled", "order.cancelled"),
    ("product_updated", "product.updated"),
    ("stock_low", "stock.low"),
];

#[component]
pub fn WebhookSection() -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let toggle = ServerAction::<SetWebhookActive>::new();
    let retry = ServerAction::<RetryWebhookDeliveries>::new();
    toast_results(add, "Webhook endpoint added.");
    toast_results(toggle, "Webhook endpoint changed.");
    toast_results(retry, "Trying again now.");
    let overview = Resource::new(
        move || {
            (
                add.version().get(),
                toggle.version().get(),
                retry.version().get(),
            )
        },
        |_| get_webhooks(),
    );
    let content = move || {
        Suspend::new(async move {
            match overview.await {
                Ok(overview) => view! {
                    <EndpointTable endpoints=overview.endpoints toggle retry />
                    <h3>"Delivery log"</h3>
                    <DeliveryLog deliveries=overview.deliveries retry />
                }
                .into_any(),
                Err(error) => {
                    view! { <p class="notice error" role="alert">{error.to_string()}</p> }
                        .into_any()
                }
            }
        })
    };
    view! {
        <section aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Webhooks"</h2>
            <p>"Stoa posts events to these addresses, signed with HMAC-SHA256 (header Stoa-Signature: t=timestamp,v1=hex of \"timestamp.body\"), with Stoa-Event-Id for dropping duplicates. Failed deliveries are tried again with growing pauses, up to 6 hours apart."</p>
            {action_error(toggle)}
            {action_error(retry)}
            <Transition fallback=|| view! { <p class="loading">"Loading webhooks…"</p> }>{content}</Transition>
            <section class="panel integrations-panel" aria-labelledby="new-endpoint-heading">
            <h3 id="new-endpoint-heading">"Add an endpoint"</h3>
            {action_error(add)}
            <ActionForm action=add attr:class="account-form">
                <label for="webhook-url">"Address (https://…)"</label>
                <input id="webhook-url" type="url" name="form[url]" required maxlength="2000" />
                <label for="webhook-secret">"Shared secret (at least 16 characters)"</label>
                <input id="webhook-secret" type="text" name="form[secret]" required minlength="16" maxlength="200" autocomplete="off" />
                <fieldset>
                    <legend>"Events"</legend>
                    {EVENTS.into_iter().map(|(field, label)| {
                        let id = format!("webhook-{field}");
                        view! {
                            <div class="choice">
                                <input id=id.clone() type="checkbox" name=format!("form[{field}]") value="on" />
                                <label for=id>{label}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" disabled=move || add.pending().get()>"Add endpoint"</button>
            </ActionForm>
            </section>
        </section>
    }
}

#[component]
fn EndpointTable(
    endpoints: Vec<WebhookEndpointRow>,
    toggle: ServerAction<SetWebhookActive>,
    retry: ServerAction<RetryWebhookDeliveries>,
) -> impl IntoView {
    if endpoints.is_empty() {
        return view! { <p class="empty">"No webhook endpoints yet."</p> }.into_any();
    }
    view! {
        <table class="admin-table stack-on-phone" data-testid="webhook-endpoints">
            <caption class="visually-hidden">"Webhook endpoints"</caption>
            <thead><tr>
                <th scope="col">"Address"</th><th scope="col">"Events"</th>
                <th scope="col">"Last 7 days"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {endpoints.into_iter().map(|e| {
                    let use_text = match e.attempts_7d {
                        0 => "no deliveries".to_owned(),
                        attempts => format!(
                            "{attempts} attempt{}, {} failed",
                            if attempts == 1 { "" } else { "s" },
                            share(e.failed_attempts_7d, attempts)
                        ),
                    };
                    view! {
                        <tr>
                            <td data-label="Address">{e.url}</td>
                            <td data-label="Events">{e.events.join(", ")}</td>
                            <td data-label="Last 7 days">
                                {use_text}<br />
                                <small>{e.last_attempt.map_or("never tried".to_owned(), |at| format!("last {at}"))}</small>
                                {(e.failing > 0).then(|| view! {
                                    <br /><strong class="warning-text">{format!("{} failing", e.failing)}</strong>
                                })}
                            </td>
                            <td data-label="Status">
                                {if e.is_active { "Active " } else { "Paused " }}
                                <ActionForm action=toggle attr:class="inline-form">
                                    <input type="hidden" name="id" value=e.id.to_string() />
                                    <input type="hidden" name="on" value=(!e.is_active).to_string() />
                                    <button type="submit" class="secondary">{if e.is_active { "Pause" } else { "Resume" }}</button>
                                </ActionForm>
                                {(e.failing > 0 && e.is_active).then(|| view! {
                                    <ActionForm action=retry attr:class="inline-form">
                                        <input type="hidden" name="endpoint_id" value=e.id.to_string() />
                                        <button type="submit" class="secondary" data-testid="retry-endpoint">"Retry failed now"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DeliveryLog(
    deliveries: Vec<WebhookDeliveryRow>,
    retry: ServerAction<RetryWebhookDeliveries>,
) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="empty">"Nothing delivered yet."</p> }.into_any();
    }
    view! {
        <table class="admin-table stack-on-phone" data-testid="webhook-deliveries">
            <caption class="visually-hidden">"The 50 most recent deliveries"</caption>
            <thead><tr>
                <th scope="col">"Event"</th><th scope="col">"Address"</th>
                <th scope="col">"Attempts"</th><th scope="col">"State"</th>
            </tr></thead>
            <tbody>
                {deliveries.into_iter().map(|d| view! {
                    <tr>
                        <td data-label="Event">{d.event_type} " " <small>{d.event_id}</small></td>
                        <td data-label="Address">{d.url}</td>
                        <td data-label="Attempts">{d.attempts}</td>
                        <td data-label="State">
                            {d.state}
                            {d.failing.then(|| view! {
                                <ActionForm action=retry attr:class="inline-form">
                                    <input type="hidden" name="endpoint_id" value=d.endpoint_id.to_string() />
                                    <input type="hidden" name="delivery_id" value=d.id.to_string() />
                                    <button type="submit" class="secondary" data-testid="retry-delivery">"Retry now"</button>
                                </ActionForm>
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
