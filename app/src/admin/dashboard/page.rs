//! `/admin`: the dashboard.

use crate::admin::api::get_staff_member;
use crate::admin::dashboard::api::get_dashboard;
use crate::admin::dashboard::chart::{Bar, BarChart};
use crate::admin::dashboard::model::{percent, Dashboard};
use crate::components::meta::page_meta;
use crate::components::notices::ErrorPanel;
use crate::kernel::money::format_minor;
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
    view! {
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
    }
    .into_any()
}
