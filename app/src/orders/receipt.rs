//! Reading an order back as the shopper sees it.

use crate::kernel::address::ShippingAddress;
use crate::kernel::error::AppError;
use crate::orders::model::OrderStatus;
use crate::orders::model::{OrderReceipt, ReceiptLine};
use crate::pricing::Totals;
use sqlx::PgPool;

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    number: String,
    status: OrderStatus,
    email: String,
    placed_at: chrono::DateTime<chrono::Utc>,
    currency: String,
    subtotal_minor: i64,
    discount_minor: i64,
    shipping_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    prices_include_tax: bool,
    ship_name: String,
    ship_line1: String,
    ship_line2: String,
    ship_city: String,
    ship_postal_code: String,
    ship_country: String,
    shipping_name: Option<String>,
    payment_provider: String,
    card_brand: Option<String>,
    card_last4: Option<String>,
}

/// The order with this number; with `email`, only when it was placed with that email
/// (compared without regard to case).
pub async fn order_receipt(
    pool: &PgPool,
    number: &str,
    email: Option<&str>,
) -> Result<Option<OrderReceipt>, AppError> {
    let Some(order) = sqlx::query_as::<_, OrderRow>(
        "SELECT o.id, o.number, o.status, o.email, o.placed_at, o.currency, o.subtotal_minor, o.discount_minor, o.shipping_minor,
                o.tax_minor, o.total_minor, o.prices_include_tax, o.ship_name, o.ship_line1, o.ship_line2,
                o.ship_city, o.ship_postal_code, o.ship_country, s.name AS shipping_name, o.payment_provider,
                o.card_brand, o.card_last4
         FROM orders o LEFT JOIN shipping_methods s ON s.code = o.shipping_method
         WHERE o.number = $1 AND ($2::text IS NULL OR lower(o.email) = lower($2))",
    )
    .bind(number.trim().to_uppercase())
    .bind(email.map(str::trim))
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query_as::<_, (String, Vec<String>, String, i32, i64, i64, i64)>(
        "SELECT product_name, option_values, sku, quantity, unit_price_minor, line_total_minor, discount_minor
         FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(order.id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(
        |(product_name, option_values, sku, quantity, unit_price_minor, line_total_minor, discount_minor)| {
            ReceiptLine {
                product_name,
                option_values,
                sku,
                quantity,
                unit_price_minor,
                line_total_minor,
                discount_minor,
            }
        },
    )
    .collect();
    let moves = sqlx::query_as::<_, (OrderStatus, chrono::DateTime<chrono::Utc>)>(
        "SELECT to_status, at FROM order_transitions WHERE order_id = $1 ORDER BY at, id",
    )
    .bind(order.id)
    .fetch_all(pool)
    .await?;
    // Times in the store's zone: the placing first, then each move.
    let times: Vec<_> = std::iter::once(order.placed_at)
        .chain(moves.iter().map(|(_, at)| *at))
        .collect();
    let local = crate::kernel::clock::store_times(pool, &times).await?;
    let placed_at = local.first().cloned().unwrap_or_default();
    let history = moves
        .iter()
        .zip(local.iter().skip(1))
        .map(|((status, _), at)| (status.label().to_owned(), at.clone()))
        .collect();
    let currency = crate::kernel::money::CurrencyCode::parse(&order.currency)
        .map_err(|_| AppError::Internal)?;
    let discounts = crate::promotions::repo::order_discount_lines(
        &mut *pool.acquire().await?,
        order.id,
        &currency,
    )
    .await?;
    let payment = match (
        order.payment_provider.as_str(),
        order.card_brand,
        order.card_last4,
    ) {
        ("manual", _, _) => "Bank transfer or cash on delivery".to_owned(),
        (_, Some(brand), Some(last4)) => format!("{brand} ending in {last4}"),
        _ => "Card".to_owned(),
    };
    Ok(Some(OrderReceipt {
        number: order.number,
        status_label: order.status.label().to_owned(),
        email: order.email,
        placed_at,
        lines,
        currency: order.currency,
        totals: Totals {
            subtotal_minor: order.subtotal_minor,
            discount_minor: order.discount_minor,
            shipping_minor: order.shipping_minor,
            tax_minor: order.tax_minor,
            total_minor: order.total_minor,
            prices_include_tax: order.prices_include_tax,
        },
        discounts,
        shipping_method: order.shipping_name.unwrap_or_default(),
        address: ShippingAddress {
            name: order.ship_name,
            line1: order.ship_line1,
            line2: order.ship_line2,
            city: order.ship_city,
            postal_code: order.ship_postal_code,
            country: order.ship_country,
        },
        payment,
        history,
    }))
}
