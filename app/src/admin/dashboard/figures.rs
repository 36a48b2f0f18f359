//! The dashboard's SQL: a handful of aggregate queries over indexed columns.

use crate::admin::dashboard::model::{Dashboard, DayFigures, FunnelStep, TopProduct};
use crate::kernel::error::AppError;
use crate::kernel::money::store_currency;
use crate::vitals::model::VitalsFigures;
use crate::vitals::tally::figures;
use sqlx::PgPool;

/// Orders that count as sales: paid, whatever happened after.
const SOLD: &str = "status IN ('paid', 'fulfilled', 'completed', 'refunded')";

pub async fn dashboard(pool: &PgPool) -> Result<Dashboard, AppError> {
    let days: Vec<(chrono::NaiveDate, i64, i64)> = sqlx::query_as(&format!(
        "SELECT d::date, coalesce(sum(o.total_minor - o.refunded_minor), 0)::bigint, count(o.id)
         FROM generate_series(current_date - 29, current_date, interval '1 day') d
         LEFT JOIN orders o ON o.placed_at >= d AND o.placed_at < d + interval '1 day' AND o.{SOLD}
         GROUP BY d ORDER BY d"
    ))
    .fetch_all(pool)
    .await?;
    let (gross, paid_orders): (i64, i64) = sqlx::query_as(&format!(
        "SELECT coalesce(sum(total_minor), 0)::bigint, count(*) FROM orders
         WHERE placed_at >= current_date - 29 AND {SOLD}"
    ))
    .fetch_one(pool)
    .await?;
    let (visits, carts, checkouts, orders): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(count) FILTER (WHERE kind = 'visit'), 0)::bigint,
                coalesce(sum(count) FILTER (WHERE kind = 'cart'), 0)::bigint,
                coalesce(sum(count) FILTER (WHERE kind = 'checkout'), 0)::bigint,
                (SELECT count(*) FROM orders WHERE placed_at >= current_date - 29)
         FROM storefront_events WHERE at >= current_date - 29",
    )
    .fetch_one(pool)
    .await?;
    let top: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT l.product_name, sum(l.quantity)::bigint, sum(l.line_total_minor)::bigint
         FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.placed_at >= current_date - 29 AND o.{SOLD}
         GROUP BY l.product_name ORDER BY 2 DESC, 3 DESC, 1 LIMIT 5"
    ))
    .fetch_all(pool)
    .await?;
    let revenue_minor = days.iter().map(|d| d.1).sum();
    Ok(Dashboard {
        currency: store_currency().as_str().to_owned(),
        days: days
            .into_iter()
            .map(|(date, revenue_minor, orders)| DayFigures {
                date: date.format("%Y-%m-%d").to_string(),
                revenue_minor,
                orders,
            })
            .collect(),
        revenue_minor,
        paid_orders,
        average_order_minor: if paid_orders > 0 {
            gross / paid_orders
        } else {
            0
        },
        funnel: [
            ("Visits", visits),
            ("Carts", carts),
            ("Checkouts started", checkouts),
            ("Orders", orders),
        ]
        .into_iter()
        .map(|(label, count)| FunnelStep {
            label: label.to_owned(),
            count,
        })
        .collect(),
        top_products: top
            .into_iter()
            .map(|(name, units, revenue_minor)| TopProduct {
                name,
                units,
                revenue_minor,
            })
            .collect(),
        low_stock_count: crate::inventory::ledger::low_stock_count(pool).await?,
        payment_attention_count: crate::orders::manage::payment_attention_count(pool).await?,
        vitals: VitalsFigures {
            last_7_days: figures(pool, 7).await?,
            last_30_days: figures(pool, 30).await?,
        },
    })
}
