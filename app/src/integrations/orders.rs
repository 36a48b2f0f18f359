//! Orders as the integration API gives them: every line (SKU, quantity, prices, tax), the
//! address, totals, payment and shipment, in minor units of the order's currency.

use crate::integrations::cursor::{end_page, page_size, Cursor};
use crate::kernel::error::AppError;
use serde::Serialize;
use sqlx::PgPool;

const STATUSES: [&str; 6] = [
    "pending_payment",
    "paid",
    "fulfilled",
    "completed",
    "cancelled",
    "refunded",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiOrder {
    /// The order number shoppers and staff quote, e.g. `ST-10001`.
    pub number: String,
    /// pending_payment, paid, fulfilled, completed, cancelled or refunded.
    pub status: String,
    pub email: String,
    /// ISO 4217, e.g. `EUR`; every `_minor` amount is in its minor unit (cents).
    pub currency: String,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub refunded_minor: i64,
    /// Whether the subtotal already contains the tax.
    pub prices_include_tax: bool,
    /// RFC 3339.
    pub placed_at: String,
    /// RFC 3339: the last change of status, payment, shipment or refund.
    pub updated_at: String,
    pub shipping_address: ApiAddress,
    pub shipping_method: String,
    pub payment: ApiPayment,
    pub shipment: Option<ApiShipment>,
    pub lines: Vec<ApiOrderLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiAddress {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiPayment {
    /// `manual`, `test-card` or `stripe`.
    pub provider: String,
    /// The provider's reference (a Stripe PaymentIntent), when there is one.
    pub reference: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiShipment {
    pub carrier: String,
    pub tracking_number: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiOrderLine {
    pub sku: String,
    pub product_name: String,
    pub options: Vec<String>,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
    /// Basis points: 2000 is 20 %.
    pub tax_rate_bp: i32,
    pub tax_minor: i64,
}

/// A page of orders, in the order they last changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    pub orders: Vec<ApiOrder>,
    /// Pass as `cursor` for the next page; also when this page is not full, to pick up
    /// changes made since (a poll).
    pub next_cursor: Option<String>,
    /// Whether more orders are there already.
    pub has_more: bool,
}

/// What the list asks for (already read from the query string).
#[derive(Clone, Debug, Default)]
pub struct OrderQuery {
    pub status: Option<String>,
    pub updated_since: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    xid: i64,
    number: String,
    status: String,
    email: String,
    currency: String,
    subtotal_minor: i64,
    shipping_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    refunded_minor: i64,
    prices_include_tax: bool,
    placed_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    ship_name: String,
    ship_line1: String,
    ship_line2: String,
    ship_city: String,
    ship_postal_code: String,
    ship_country: String,
    shipping_method: String,
    payment_provider: String,
    payment_reference: Option<String>,
    card_brand: Option<String>,
    card_last4: Option<String>,
    carrier: Option<String>,
    tracking_number: Option<String>,
}

const ORDER_COLUMNS: &str =
    "id, change_xid::text::bigint AS xid, number, status::text AS status, email,
    currency, subtotal_minor, shipping_minor, tax_minor, total_minor, refunded_minor,
    prices_include_tax, placed_at, updated_at, ship_name, ship_line1, ship_line2, ship_city,
    ship_postal_code, ship_country, shipping_method, payment_provider, payment_reference,
    card_brand, card_last4, carrier, tracking_number";

#[derive(sqlx::FromRow)]
struct LineRow {
    order_id: i64,
    sku: String,
    product_name: String,
    option_values: Vec<String>,
    quantity: i32,
    unit_price_minor: i64,
    line_total_minor: i64,
    tax_rate_bp: i32,
    tax_minor: i64,
}

async fn with_lines(pool: &PgPool, rows: Vec<OrderRow>) -> Result<Vec<ApiOrder>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT order_id, sku, product_name, option_values, quantity, unit_price_minor,
                line_total_minor, tax_rate_bp, tax_minor
         FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let lines = lines
                .iter()
                .filter(|line| line.order_id == row.id)
                .map(|line| ApiOrderLine {
                    sku: line.sku.clone(),
                    product_name: line.product_name.clone(),
                    options: line.option_values.clone(),
                    quantity: line.quantity,
                    unit_price_minor: line.unit_price_minor,
                    line_total_minor: line.line_total_minor,
                    tax_rate_bp: line.tax_rate_bp,
                    tax_minor: line.tax_minor,
                })
                .collect();
            ApiOrder {
                number: row.number,
                status: row.status,
                email: row.email,
                currency: row.currency,
                subtotal_minor: row.subtotal_minor,
                shipping_minor: row.shipping_minor,
                tax_minor: row.tax_minor,
                total_minor: row.total_minor,
                refunded_minor: row.refunded_minor,
                prices_include_tax: row.prices_include_tax,
                placed_at: row.placed_at.to_rfc3339(),
                updated_at: row.updated_at.to_rfc3339(),
                shipping_address: ApiAddress {
                    name: row.ship_name,
                    line1: row.ship_line1,
                    line2: row.ship_line2,
                    city: row.ship_city,
                    postal_code: row.ship_postal_code,
                    country: row.ship_country,
                },
                shipping_method: row.shipping_method,
                payment: ApiPayment {
                    provider: row.payment_provider,
                    reference: row.payment_reference,
                    card_brand: row.card_brand,
                    card_last4: row.card_last4,
                },
                shipment: match (row.carrier, row.tracking_number) {
                    (Some(carrier), Some(tracking_number)) => Some(ApiShipment {
                        carrier,
                        tracking_number,
                    }),
                    _ => None,
                },
                lines,
            }
        })
        .collect())
}

pub fn parse_time(name: &str, text: &str) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            AppError::invalid(format!(
                "`{name}` is a time such as 2026-11-30T12:00:00Z (RFC 3339)."
            ))
        })
}

/// A page of orders, oldest change first.
pub async fn list(pool: &PgPool, query: &OrderQuery) -> Result<OrderPage, AppError> {
    let limit = page_size(query.limit)?;
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(status) if STATUSES.contains(&status) => Some(status.to_owned()),
        Some(_) => {
            return Err(AppError::invalid(format!(
                "`status` is one of {}.",
                STATUSES.join(", ")
            )))
        }
    };
    let since = query
        .updated_since
        .as_deref()
        .map(|text| parse_time("updated_since", text))
        .transpose()?;
    let requested = query.cursor.as_deref().map(Cursor::parse).transpose()?;
    let after = requested.unwrap_or_default();
    let mut rows: Vec<OrderRow> = sqlx::query_as(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders
         WHERE change_xid < pg_snapshot_xmin(pg_current_snapshot())
           AND (change_xid, id) > ($1::text::xid8, $2)
           AND ($3::text IS NULL OR status::text = $3)
           AND ($4::timestamptz IS NULL OR updated_at >= $4)
         ORDER BY change_xid, id LIMIT $5"
    ))
    .bind(after.xid.to_string())
    .bind(after.id)
    .bind(status)
    .bind(since)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let (next_cursor, has_more) = end_page(
        &mut rows,
        limit,
        |row| Cursor {
            xid: row.xid,
            id: row.id,
        },
        requested,
    );
    Ok(OrderPage {
        orders: with_lines(pool, rows).await?,
        next_cursor,
        has_more,
    })
}

/// One order by its number.
pub async fn by_number(pool: &PgPool, number: &str) -> Result<ApiOrder, AppError> {
    let row: Option<OrderRow> = sqlx::query_as(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE number = $1"
    ))
    .bind(number.trim())
    .fetch_optional(pool)
    .await?;
    let row = row.ok_or_else(|| AppError::not_found("There is no order with this number."))?;
    Ok(with_lines(pool, vec![row]).await?.remove(0))
}
