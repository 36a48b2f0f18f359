//! Placing an order: one transaction that takes the stock, snapshots the cart into an
//! order and empties the cart, or does none of it.
//!
//! - Stock is taken with a conditional decrement per line
//!   (`UPDATE … SET stock = stock - q WHERE id = v AND stock >= q`), so no unit is ever
//!   sold twice, whatever runs concurrently.
//! - Lines are taken in variant-id order, so two checkouts holding the same variants in
//!   opposite orders lock them in the same order and cannot deadlock.
//! - The cart row is locked first, and the idempotency key is unique: a double submit, a
//!   refresh or a retried request gets the order the first attempt placed.

use crate::email::EmailAddress;
use crate::error::AppError;
use crate::money::{CurrencyCode, Money};
use crate::orders::model::OrderStatus;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What the checkout hands over once the shopper's input has been parsed.
#[derive(Clone, Debug)]
pub struct OrderRequest {
    pub cart_id: Uuid,
    pub idempotency_key: Uuid,
    pub email: EmailAddress,
    pub shipping: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    pub id: i64,
    pub number: String,
    pub status: OrderStatus,
    pub total: Money,
}

#[derive(sqlx::FromRow)]
struct ExistingOrder {
    id: i64,
    number: String,
    status: OrderStatus,
    cart_id: Uuid,
    currency: String,
    total_minor: i64,
}

impl ExistingOrder {
    fn into_placed(self, request: &OrderRequest) -> Result<PlacedOrder, AppError> {
        if self.cart_id != request.cart_id {
            // A key is issued for one checkout of one cart; never show another cart's order.
            return Err(AppError::invalid(
                "This checkout has already been used. Reload the checkout page and try again.",
            ));
        }
        let currency = CurrencyCode::parse(&self.currency).map_err(|_| AppError::Internal)?;
        Ok(PlacedOrder {
            id: self.id,
            number: self.number,
            status: self.status,
            total: Money::new(self.total_minor, currency),
        })
    }
}

async fn order_with_key(
    connection: &mut PgConnection,
    key: Uuid,
) -> Result<Option<ExistingOrder>, AppError> {
    Ok(sqlx::query_as::<_, ExistingOrder>(
        "SELECT id, number, status, cart_id, currency, total_minor FROM orders WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(connection)
    .await?)
}

#[derive(sqlx::FromRow)]
struct CartLine {
    variant_id: i64,
    quantity: i32,
    sku: String,
    product_name: String,
    option_values: Vec<String>,
    currency: String,
    is_published: bool,
}

/// Places the order for the cart in `request`; see the module documentation.
pub async fn place_order(pool: &PgPool, request: &OrderRequest) -> Result<PlacedOrder, AppError> {
    let mut tx = pool.begin().await?;

    // Serialises attempts on the same cart; a second attempt waits here for the first.
    let cart_exists =
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM carts WHERE id = $1 FOR UPDATE")
            .bind(request.cart_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
    if let Some(existing) = order_with_key(&mut tx, request.idempotency_key).await? {
        return existing.into_placed(request);
    }
    if !cart_exists {
        return Err(AppError::invalid(
            "Your cart has expired. Add the items again to check out.",
        ));
    }

    let lines = sqlx::query_as::<_, CartLine>(
        "SELECT l.variant_id, l.quantity, v.sku, p.name AS product_name, v.option_values,
                p.currency, p.is_published
         FROM cart_lines l
         JOIN product_variants v ON v.id = l.variant_id
         JOIN products p ON p.id = v.product_id
         WHERE l.cart_id = $1
         ORDER BY l.variant_id",
    )
    .bind(request.cart_id)
    .fetch_all(&mut *tx)
    .await?;
    if lines.is_empty() {
        return Err(AppError::invalid("Your cart is empty."));
    }
    let currency = request.shipping.currency.clone();
    for line in &lines {
        if !line.is_published {
            return Err(AppError::invalid(format!(
                "{} is no longer sold. Remove it from your cart to continue.",
                line.product_name
            )));
        }
        if line.currency != currency.as_str() {
            tracing::error!(sku = %line.sku, "cart mixes currencies");
            return Err(AppError::Internal);
        }
    }

    // Take the stock, line by line in variant-id order, reading the price under the lock.
    let mut priced = Vec::with_capacity(lines.len());
    for line in &lines {
        let taken: Option<i64> = sqlx::query_scalar(
            "UPDATE product_variants SET stock = stock - $2
             WHERE id = $1 AND stock >= $2
             RETURNING price_minor",
        )
        .bind(line.variant_id)
        .bind(line.quantity)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(unit_price) = taken else {
            let available: i32 =
                sqlx::query_scalar("SELECT stock FROM product_variants WHERE id = $1")
                    .bind(line.variant_id)
                    .fetch_one(&mut *tx)
                    .await?;
            return Err(AppError::invalid(out_of_stock_message(
                &line.product_name,
                available,
            )));
        };
        priced.push((line, unit_price));
    }

    let subtotal: i64 = priced
        .iter()
        .map(|(line, price)| price * i64::from(line.quantity))
        .sum();
    let shipping = request.shipping.minor_units;
    // Tax rules arrive with the checkout; prices are tax-inclusive until then.
    let tax = 0_i64;
    let total = subtotal + shipping;

    let inserted: Option<(i64, String)> = sqlx::query_as(
        "INSERT INTO orders (idempotency_key, cart_id, email, currency, subtotal_minor, shipping_minor, tax_minor, total_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, number",
    )
    .bind(request.idempotency_key)
    .bind(request.cart_id)
    .bind(request.email.as_str())
    .bind(currency.as_str())
    .bind(subtotal)
    .bind(shipping)
    .bind(tax)
    .bind(total)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((order_id, number)) = inserted else {
        // Another cart committed an order with this key meanwhile: keep nothing of ours.
        drop(tx);
        let mut connection = pool.acquire().await?;
        let existing = order_with_key(&mut connection, request.idempotency_key).await?;
        return existing.ok_or(AppError::Internal)?.into_placed(request);
    };

    for (line, unit_price) in &priced {
        sqlx::query(
            "INSERT INTO order_lines (order_id, variant_id, sku, product_name, option_values, unit_price_minor, quantity, line_total_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(order_id)
        .bind(line.variant_id)
        .bind(&line.sku)
        .bind(&line.product_name)
        .bind(&line.option_values)
        .bind(unit_price)
        .bind(line.quantity)
        .bind(unit_price * i64::from(line.quantity))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("INSERT INTO order_transitions (order_id, from_status, to_status, note) VALUES ($1, NULL, 'pending_payment', 'placed')")
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1")
        .bind(request.cart_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    Ok(PlacedOrder {
        id: order_id,
        number,
        status: OrderStatus::PendingPayment,
        total: Money::new(total, currency),
    })
}

fn out_of_stock_message(product_name: &str, available: i32) -> String {
    match available {
        0 => format!("{product_name} is sold out. Remove it from your cart to continue."),
        1 => format!("Only 1 {product_name} is left. Lower the quantity to continue."),
        n => format!("Only {n} of {product_name} are left. Lower the quantity to continue."),
    }
}
