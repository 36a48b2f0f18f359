//! Orders as the integration API gives them: every line (SKU, quantity, prices, tax), the
//! address, totals, payment and shipment, in minor units of the order's currency.

use crate::integrations::cursor::{end_page, page_size, Cursor};
use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::{major_units_text, CurrencyCode};
use crate::orders::manage::model::RefundForm;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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
    /// Before discounts.
    pub subtotal_minor: i64,
    /// What promotions took off (lines and shipping): `total = subtotal − discount +
    /// shipping (+ tax when prices exclude it)`.
    pub discount_minor: i64,
    pub shipping_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub refunded_minor: i64,
    /// Each promotion the order got, with what it took off.
    pub discounts: Vec<ApiDiscount>,
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
    /// Every refund, oldest first; they add up to `refunded_minor`.
    pub refunds: Vec<ApiRefund>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiDiscount {
    /// The promotion's name as the shopper saw it.
    pub name: String,
    /// The code the shopper entered, for a code promotion.
    pub code: Option<String>,
    /// Off the lines and the shipping together.
    pub amount_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiRefund {
    pub amount_minor: i64,
    pub reason: String,
    /// The provider's refund reference (a Stripe refund), when the money went back
    /// through a provider; manual payments are paid back by hand.
    pub provider_reference: Option<String>,
    /// RFC 3339.
    pub refunded_at: String,
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
    /// On what the line costs after its discount.
    pub tax_minor: i64,
    /// What promotions took off this line.
    pub discount_minor: i64,
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
    discount_minor: i64,
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
    currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, refunded_minor,
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
    discount_minor: i64,
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    order_id: i64,
    amount_minor: i64,
    reason: String,
    provider_reference: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
}

async fn with_lines(pool: &PgPool, rows: Vec<OrderRow>) -> Result<Vec<ApiOrder>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT order_id, sku, product_name, option_values, quantity, unit_price_minor,
                line_total_minor, tax_rate_bp, tax_minor, discount_minor
         FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let discounts: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT order_id, name, code, lines_minor + shipping_minor FROM order_discounts
         WHERE order_id = ANY($1) ORDER BY order_id, id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let refunds: Vec<RefundRow> = sqlx::query_as(
        "SELECT order_id, amount_minor, reason, provider_reference, at
         FROM order_refunds WHERE order_id = ANY($1) ORDER BY order_id, at, id",
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
                    discount_minor: line.discount_minor,
                })
                .collect();
            let order_discounts = discounts
                .iter()
                .filter(|(order_id, ..)| *order_id == row.id)
                .map(|(_, name, code, amount_minor)| ApiDiscount {
                    name: name.clone(),
                    code: code.clone(),
                    amount_minor: *amount_minor,
                })
                .collect();
            ApiOrder {
                number: row.number,
                status: row.status,
                email: row.email,
                currency: row.currency,
                subtotal_minor: row.subtotal_minor,
                discount_minor: row.discount_minor,
                discounts: order_discounts,
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
                refunds: refunds
                    .iter()
                    .filter(|refund| refund.order_id == row.id)
                    .map(|refund| ApiRefund {
                        amount_minor: refund.amount_minor,
                        reason: refund.reason.clone(),
                        provider_reference: refund.provider_reference.clone(),
                        refunded_at: refund.at.to_rfc3339(),
                    })
                    .collect(),
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

/// The id of the order with this number.
pub async fn id_by_number(pool: &PgPool, number: &str) -> Result<i64, AppError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE number = $1")
        .bind(number.trim())
        .fetch_optional(pool)
        .await?;
    id.ok_or_else(|| AppError::not_found("There is no order with this number."))
}

/// A refund asked for by another system.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Above 0 and at most what is paid and not yet refunded.
    #[schema(minimum = 1)]
    pub amount_minor: i64,
    /// 1 to 500 characters, shown to staff and in the audit log.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Refunds through the staff area's refund (the provider first, then the record, the
/// shopper's email and the audit entry). The request's idempotency key, per API key,
/// becomes the refund's key: a retry, even concurrent, refunds once.
pub async fn refund(
    pool: &PgPool,
    gateways: &crate::payments::PaymentGateways,
    caller: (&crate::audit::Actor, i64),
    idempotency_key: &str,
    number: &str,
    request: &RefundRequest,
    public_url: &str,
) -> Result<ApiOrder, AppError> {
    let (actor, key_id) = caller;
    let order: Option<(i64, String)> =
        sqlx::query_as("SELECT id, currency FROM orders WHERE number = $1")
            .bind(number.trim())
            .fetch_optional(pool)
            .await?;
    let (order_id, currency) =
        order.ok_or_else(|| AppError::not_found("There is no order with this number."))?;
    if request.amount_minor <= 0 {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "amount_minor",
            "Refund an amount above zero.",
        )]));
    }
    let currency = CurrencyCode::parse(&currency).map_err(|_| AppError::Internal)?;
    let form = RefundForm {
        order_id,
        amount: major_units_text(request.amount_minor, &currency),
        reason: request.reason.clone(),
        request_key: refund_key(key_id, idempotency_key).to_string(),
    };
    crate::orders::manage::refund(pool, gateways, actor, &form, public_url)
        .await
        .map_err(|error| match error {
            AppError::InvalidFields(errors) => AppError::InvalidFields(
                errors
                    .into_iter()
                    .map(|mut error| {
                        if error.field == "amount" {
                            error.field = "amount_minor".to_owned();
                        }
                        error
                    })
                    .collect(),
            ),
            other => other,
        })?;
    by_number(pool, number).await
}

/// The refund key for a request: the same API key and Idempotency-Key always give the
/// same one, and no two keys share theirs.
fn refund_key(key_id: i64, idempotency_key: &str) -> uuid::Uuid {
    let digest = Sha256::digest(format!("api-refund:{key_id}:{idempotency_key}"));
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Cancels through the staff area's cancel (stock back, authorization voided or the
/// payment refunded, the shopper told); cancelling a cancelled order changes nothing.
pub async fn cancel(
    pool: &PgPool,
    gateways: &crate::payments::PaymentGateways,
    actor: &crate::audit::Actor,
    number: &str,
    public_url: &str,
) -> Result<ApiOrder, AppError> {
    let order_id = id_by_number(pool, number).await?;
    crate::orders::manage::cancel(pool, gateways, actor, order_id, public_url).await?;
    by_number(pool, number).await
}
