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
//! - The confirmation email goes into the outbox in the same transaction; it is sent
//!   after the commit, so a mail failure can never lose or block an order.
//! - Prices, shipping and tax are computed from what is read under those locks, with the
//!   same arithmetic the checkout page showed (`promotions::price_cart`).
//! - Promotions are read under the same transaction; those with limits are locked after
//!   the stock and their uses counted (`promotions::repo::take_uses`), so a code limited
//!   to 50 uses gives exactly 50 orders however many race for it.

use crate::kernel::address::ShippingAddress;
use crate::kernel::email::EmailAddress;
use crate::kernel::error::AppError;
use crate::kernel::money::{CurrencyCode, Money};
use crate::orders::email::{confirmation_text, queue_confirmation, ConfirmationLine};
use crate::orders::model::OrderStatus;
use crate::payments::Authorization;
use crate::pricing::line_tax;
use crate::pricing::rates::{
    not_delivered_message, shipping_method_for, store_settings, zone_for_address, TaxRates,
};
use crate::promotions::engine::Item;
use crate::promotions::repo::{cart_offers, record_uses, take_uses, Customer};
use crate::promotions::{price_cart, LineForPricing};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What the checkout hands over once the shopper's input has been parsed and paid for.
#[derive(Clone, Debug)]
pub struct OrderRequest {
    pub cart_id: Uuid,
    pub idempotency_key: Uuid,
    pub email: EmailAddress,
    pub address: ShippingAddress,
    pub shipping_method: String,
    pub payment: Authorization,
    /// The total the shopper was shown and the payment authorized; when prices moved in
    /// between, placing is refused rather than charging a different amount.
    pub expected_total_minor: Option<i64>,
    /// Where shoppers reach the store, for the link in the confirmation email.
    pub public_url: String,
}

/// Whether the order was placed by this call or already existed for its key (a retry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    New,
    AlreadyPlaced,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    pub id: i64,
    pub number: String,
    pub status: OrderStatus,
    pub total: Money,
    pub placement: Placement,
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
    fn into_placed(self, cart_id: Uuid) -> Result<PlacedOrder, AppError> {
        if self.cart_id != cart_id {
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
            placement: Placement::AlreadyPlaced,
        })
    }
}

/// The order already placed with this idempotency key for this cart, if any.
pub async fn order_for_key(
    connection: &mut PgConnection,
    key: Uuid,
    cart_id: Uuid,
) -> Result<Option<PlacedOrder>, AppError> {
    let existing = sqlx::query_as::<_, ExistingOrder>(
        "SELECT id, number, status, cart_id, currency, total_minor FROM orders WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(connection)
    .await?;
    existing.map(|order| order.into_placed(cart_id)).transpose()
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
    category_id: i64,
    product_id: i64,
    weight_grams: i32,
    tax_category_id: Option<i64>,
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
    if let Some(existing) = order_for_key(&mut tx, request.idempotency_key, request.cart_id).await?
    {
        return Ok(existing);
    }
    if !cart_exists {
        return Err(AppError::invalid(
            "Your cart has expired. Add the items again to check out.",
        ));
    }

    let lines = sqlx::query_as::<_, CartLine>(
        "SELECT l.variant_id, l.quantity, v.sku, p.name AS product_name, v.option_values,
                p.currency, p.is_published, p.category_id, p.id AS product_id,
                p.weight_grams, p.tax_category_id
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
    let settings = store_settings(&mut tx).await?;
    let address = &request.address;
    let Some(zone) = zone_for_address(&mut tx, &address.country, &address.postal_code).await?
    else {
        return Err(AppError::invalid(not_delivered_message(&address.country)));
    };
    let shipping = shipping_method_for(&mut tx, &zone, &request.shipping_method).await?;
    let tax_rates = TaxRates::load(&mut tx, &zone).await?;
    let weight =
        crate::pricing::shipping::parcel_weight(lines.iter().map(|l| (l.weight_grams, l.quantity)));
    let not_taken = || {
        AppError::invalid(format!(
            "{} does not take this order. Choose another shipping method.",
            shipping.name
        ))
    };
    let shipping_price = shipping.price_for_weight(weight).ok_or_else(not_taken)?;
    let currency = settings.currency.clone();
    for line in &lines {
        if !line.is_published {
            return Err(AppError::invalid(format!(
                "{} is no longer sold. Remove it from your cart to continue.",
                line.product_name
            )));
        }
        if line.currency != currency.as_str() {
            tracing::error!(sku = %line.sku, "product currency differs from the store currency");
            return Err(AppError::Internal);
        }
    }

    // Take the stock, line by line in variant-id order, reading the price under the lock.
    crate::inventory::ledger::name_reason(&mut tx, "sale", "", None, None).await?;
    let mut to_price = Vec::with_capacity(lines.len());
    for line in &lines {
        let taken: Option<(i64, i32, i32)> = sqlx::query_as(
            "UPDATE product_variants SET stock = stock - $2
             WHERE id = $1 AND stock >= $2
             RETURNING price_minor, stock, low_stock_threshold",
        )
        .bind(line.variant_id)
        .bind(line.quantity)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((unit_price_minor, left, low_stock_threshold)) = taken else {
            metrics::counter!("stoa_stock_outs_total").increment(1);
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
        // Crossing the low-stock line (not every sale below it) tells the warehouse once.
        if left <= low_stock_threshold && left + line.quantity > low_stock_threshold {
            crate::webhooks::outbox::emit(
                &mut tx,
                "stock.low",
                serde_json::json!({ "sku": line.sku, "variant_id": line.variant_id, "stock": left }),
            )
            .await?;
        }
        to_price.push(LineForPricing {
            item: Item {
                product_id: line.product_id,
                category_id: line.category_id,
                unit_price_minor,
                quantity: line.quantity,
            },
            tax_rate_bp: tax_rates.rate_for(line.tax_category_id, line.category_id),
        });
    }
    // Promotions, read like the quote read them; their uses are taken below, under locks.
    let customer = Customer::of_cart(request.cart_id, Some(request.email.as_str()));
    let items: Vec<Item> = to_price.iter().map(|l| l.item).collect();
    let offers = cart_offers(&mut tx, request.cart_id, &items, &customer, &currency).await?;
    if let Some(problem) = &offers.code_problem {
        return Err(crate::promotions::repo::code_blocks_order(problem));
    }
    let (totals, discounts) = price_cart(
        &to_price,
        &shipping_price,
        tax_rates.shipping_rate_bp(),
        &offers.offers,
        settings.prices_include_tax,
    )
    .ok_or_else(not_taken)?;
    let line_discounts = discounts.per_line(to_price.len());
    if request
        .expected_total_minor
        .is_some_and(|expected| expected != totals.total_minor)
    {
        return Err(AppError::invalid(
            "Prices changed while you were checking out. Review the new total and place the order again.",
        ));
    }
    take_uses(&mut tx, &discounts, &offers.offers, &customer).await?;

    let inserted: Option<(i64, String)> = sqlx::query_as(
        "INSERT INTO orders (idempotency_key, cart_id, email, currency, subtotal_minor, shipping_minor,
                             tax_minor, total_minor, prices_include_tax, ship_name, ship_line1, ship_line2,
                             ship_city, ship_postal_code, ship_country, shipping_method, payment_provider,
                             payment_reference, card_brand, card_last4, discount_minor, account_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                 (SELECT id FROM accounts WHERE cart_id = $2))
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, number",
    )
    .bind(request.idempotency_key)
    .bind(request.cart_id)
    .bind(request.email.as_str())
    .bind(currency.as_str())
    .bind(totals.subtotal_minor)
    .bind(totals.shipping_minor)
    .bind(totals.tax_minor)
    .bind(totals.total_minor)
    .bind(totals.prices_include_tax)
    .bind(&request.address.name)
    .bind(&request.address.line1)
    .bind(&request.address.line2)
    .bind(&request.address.city)
    .bind(&request.address.postal_code)
    .bind(&request.address.country)
    .bind(&shipping.code)
    .bind(request.payment.provider)
    .bind(&request.payment.reference)
    .bind(&request.payment.card_brand)
    .bind(&request.payment.card_last4)
    .bind(totals.discount_minor)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((order_id, number)) = inserted else {
        // Another cart committed an order with this key meanwhile: keep nothing of ours.
        drop(tx);
        let mut connection = pool.acquire().await?;
        return order_for_key(&mut connection, request.idempotency_key, request.cart_id)
            .await?
            .ok_or(AppError::Internal);
    };

    let mut line_ids = Vec::with_capacity(lines.len());
    for ((line, priced), discount) in lines.iter().zip(&to_price).zip(&line_discounts) {
        let line_id: i64 = sqlx::query_scalar(
            "INSERT INTO order_lines (order_id, variant_id, sku, product_name, option_values, unit_price_minor,
                                      quantity, line_total_minor, tax_rate_bp, tax_minor, discount_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(order_id)
        .bind(line.variant_id)
        .bind(&line.sku)
        .bind(&line.product_name)
        .bind(&line.option_values)
        .bind(priced.item.unit_price_minor)
        .bind(line.quantity)
        .bind(priced.item.unit_price_minor * i64::from(line.quantity))
        .bind(priced.tax_rate_bp)
        .bind(line_tax(
            priced.item.unit_price_minor * i64::from(line.quantity) - discount,
            priced.tax_rate_bp,
            totals.prices_include_tax,
        ))
        .bind(discount)
        .fetch_one(&mut *tx)
        .await?;
        line_ids.push(line_id);
    }
    record_uses(
        &mut tx,
        order_id,
        &line_ids,
        &discounts,
        &customer,
        request.email.as_str(),
    )
    .await?;
    let confirmation_lines: Vec<ConfirmationLine<'_>> = lines
        .iter()
        .zip(&to_price)
        .map(|(line, priced)| ConfirmationLine {
            product_name: &line.product_name,
            option_values: &line.option_values,
            quantity: line.quantity,
            line_total_minor: priced.item.unit_price_minor * i64::from(line.quantity),
        })
        .collect();
    let body = confirmation_text(
        &number,
        &confirmation_lines,
        &totals,
        &crate::promotions::discount_lines(&discounts, &currency),
        &currency,
        &request.address,
        &request.public_url,
    );
    queue_confirmation(&mut tx, order_id, request.email.as_str(), &number, &body).await?;
    sqlx::query(
        "INSERT INTO order_transitions (order_id, from_status, to_status, note)
         VALUES ($1, NULL, 'pending_payment', 'placed')",
    )
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1")
        .bind(request.cart_id)
        .execute(&mut *tx)
        .await?;
    let event = crate::orders::event_payload::with_order(
        &mut tx,
        order_id,
        crate::orders::model::order_event(&number, OrderStatus::PendingPayment, &currency, &totals),
    )
    .await?;
    crate::webhooks::outbox::emit(&mut tx, "order.created", event).await?;
    tx.commit().await?;

    Ok(PlacedOrder {
        id: order_id,
        number,
        status: OrderStatus::PendingPayment,
        total: Money::new(totals.total_minor, currency),
        placement: Placement::New,
    })
}

fn out_of_stock_message(product_name: &str, available: i32) -> String {
    match available {
        0 => format!("{product_name} is sold out. Remove it from your cart to continue."),
        1 => format!("Only 1 {product_name} is left. Lower the quantity to continue."),
        n => format!("Only {n} of {product_name} are left. Lower the quantity to continue."),
    }
}
