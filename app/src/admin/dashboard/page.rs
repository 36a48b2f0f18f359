//! `/admin`: the dashboard.

use crate::admin::api::get_staff_member;
use crate::admin::dashboard::api::get_dashboard;
use crate::admin::dashboard::chart::{Bar, BarChart};
use crate::admin::dashboard::model::{percent, Dashboard};
use crate::components::meta::page_meta;
use crate::components::notices::ErrorPanel;
use crate::kernel::money::format_minor;
use crate::vitals::model::{Metric, PageFigures, VitalsFigures};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let member = Resource::new(|| (), |_| get_staff_member());
    let figures = Resource::new(|| (), |_| get_dashboard());
    let content = move || {
        Suspend::new(async move {
            let member = member.await;
            match (member, figures.await) {
                (Ok(member), Ok(dashboard)) => view! {
                    <p>"Signed in as " <strong>{member.email}</strong> " with the role " <strong data-testid="staff-role">{member.role.as_str()}</strong> "."</p>
                    <DashboardFigures dashboard />
                }
                .into_any(),
                (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Dashboard · Staff area", "How the store is doing.", "/admin")}
        <h1>"Dashboard"</h1>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the figures…"</p> }>{content}</Transition>
    }
}

#[component]
fn DashboardFigures(dashboard: Dashboard) -> impl IntoView {
    let currency = dashboard.currency.clone();
    let money = move |minor: i64| format_minor(minor, &currency);
    let revenue_bars = dashboard
        .days
        .iter()
        .map(|d| Bar {
            label: d.date.clone(),
            value: d.revenue_minor,
            shown: money(d.revenue_minor),
        })
        .collect();
    let order_bars = dashboard
        .days
        .iter()
        .map(|d| Bar {
            label: d.date.clone(),
            value: d.orders,
            shown: d.orders.to_string(),
        })
        .collect();
    let first_step = dashboard.funnel.first().map(|s| s.count).unwrap_or(0);
    let vitals = dashboard.vitals;
    let attention = dashboard.payment_attention_count;
    view! {
        {(attention > 0).then(|| view! {
            <div class="notice warning" role="status" data-testid="payment-attention">
                <strong>{payment_attention_text(attention)}</strong>
                " A capture failed, a payment failed or a shopper disputed a charge. "
                <A href="/admin/orders?attention=yes">"Review these orders"</A>
            </div>
        })}
        <div class="kpis">
            <div class="kpi"><span>"Revenue, 30 days"</span><strong data-testid="kpi-revenue">{money(dashboard.revenue_minor)}</strong></div>
            <div class="kpi"><span>"Paid orders"</span><strong data-testid="kpi-orders">{dashboard.paid_orders}</strong></div>
            <div class="kpi"><span>"Average order"</span><strong>{money(dashboard.average_order_minor)}</strong></div>
            <div class="kpi"><span>"Low on stock"</span><strong><A href="/admin/stock">{dashboard.low_stock_count} " variants"</A></strong></div>
        </div>
        <div class="panel-columns">
            <BarChart title="Revenue per day".to_owned() bars=revenue_bars test_id="revenue-chart" />
            <BarChart title="Paid orders per day".to_owned() bars=order_bars test_id="orders-chart" />
        </div>
        <div class="panel-columns">
            <section class="panel" aria-labelledby="funnel-heading">
                <h2 id="funnel-heading">"Conversion, 30 days"</h2>
                <table class="admin-table" data-testid="funnel">
                    <thead><tr><th scope="col">"Step"</th><th scope="col">"Count"</th><th scope="col">"Of visits"</th></tr></thead>
                    <tbody>
                        {dashboard.funnel.into_iter().map(|s| view! {
                            <tr><td>{s.label}</td><td>{s.count}</td><td>{percent(s.count, first_step)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="panel" aria-labelledby="top-heading">
                <h2 id="top-heading">"Top products, 30 days"</h2>
                {if dashboard.top_products.is_empty() {
                    view! { <p class="empty">"No sales yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="admin-table">
                            <thead><tr><th scope="col">"Product"</th><th scope="col">"Units"</th><th scope="col">"Sales"</th></tr></thead>
                            <tbody>
                                {dashboard.top_products.into_iter().map(|p| view! {
                                    <tr><td>{p.name}</td><td>{p.units}</td><td>{money(p.revenue_minor)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
        <PageLoadFigures vitals />
    }
    .into_any()
}

/// Core Web Vitals from shoppers' browsers: p75 per page type, rated against the "good"
/// thresholds, for the last 7 and 30 days.
#[component]
fn PageLoadFigures(vitals: VitalsFigures) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="page-loads-heading" data-testid="page-loads">
            <h2 id="page-loads-heading">"Page loads from real visitors"</h2>
            <p class="hint">
                "The 75th percentile per page type: three visits in four were at least this fast. "
                "Good is LCP up to 2.5 s, INP up to 200 ms, CLS up to 0.1 and TTFB up to 0.8 s."
            </p>
            <VitalsTable caption="Last 7 days" pages=vitals.last_7_days test_id="vitals-7-days" />
            <VitalsTable caption="Last 30 days" pages=vitals.last_30_days test_id="vitals-30-days" />
        </section>
    }
}

#[component]
fn VitalsTable(
    caption: &'static str,
    pages: Vec<PageFigures>,
    test_id: &'static str,
) -> impl IntoView {
    if pages.is_empty() {
        return view! {
            <p class="empty" data-testid=test_id>{caption} ": no page loads measured yet."</p>
        }
        .into_any();
    }
    let rows = pages
        .into_iter()
        .map(|page| {
            let loads = page.metrics.iter().map(|m| m.samples).max().unwrap_or(0);
            let cells = page
                .metrics
                .into_iter()
                .map(|figure| match figure.p75 {
                    Some(p75) => {
                        let rating = p75.rating(figure.metric);
                        view! {
                            <td data-metric=figure.metric.as_str()>
                                <span class="vital-value">{p75.format(figure.metric)}</span>
                                <span class=rating.css_class()>{rating.label()}</span>
                            </td>
                        }
                        .into_any()
                    }
                    None => view! { <td data-metric=figure.metric.as_str()>"–"</td> }.into_any(),
                })
                .collect_view();
            view! {
                <tr data-page=page.page.as_str()>
                    <th scope="row">{page.page.label()}</th>
                    {cells}
                    <td>{loads}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        // A region of its own, reachable by keyboard, when it scrolls sideways on a phone.
        <div class="table-scroll" role="region" aria-label=format!("Page loads, {}", caption.to_lowercase()) tabindex="0">
            <table class="admin-table vitals-table" data-testid=test_id>
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Page type"</th>
                        {Metric::ALL
                            .map(|metric| view! {
                                <th scope="col"><abbr title=metric.description()>{metric.abbreviation()}</abbr></th>
                            })
                            .collect_view()}
                        <th scope="col">"Page loads"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "1 order needs …" / "3 orders need …".
fn payment_attention_text(count: i64) -> String {
    if count == 1 {
        "1 order needs payment attention.".to_owned()
    } else {
        format!("{count} orders need payment attention.")
    }
}
