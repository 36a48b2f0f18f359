//! Cart SQL. Every change checks the variant and its stock, with a message the shopper
//! can act on ("only 3 left").

use crate::cart::model::{CartLineView, Quantity, MAX_QUANTITY};
use crate::kernel::error::AppError;
use crate::kernel::money::{CurrencyCode, Money};
use sqlx::PgPool;
use uuid::Uuid;

pub async fn create_cart(pool: &PgPool) -> Result<Uuid, AppError> {
    Ok(crate::funnel::create_counted_cart(pool).await?)
}

pub fn only_left(available: i32) -> AppError {
    match available {
        0 => AppError::invalid("Sorry, this item is sold out."),
        n => AppError::invalid(format!("Only {n} left.")),
    }
}

/// The variant of a published product offered for exactly these option values (one per
/// option, in the product's order), with its stock; `None` when no variant has them.
pub async fn variant_with_options(
    pool: &PgPool,
    product_id: i64,
    option_values: &[String],
) -> Result<Option<(i64, i32)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT v.id, v.stock FROM product_variants v JOIN products p ON p.id = v.product_id
         WHERE p.id = $1 AND p.is_published AND v.option_values = $2",
    )
    .bind(product_id)
    .bind(option_values)
    .fetch_optional(pool)
    .await?)
}

/// Stock of a variant a shopper may buy (published product), or NotFound.
pub async fn buyable_stock(pool: &PgPool, variant_id: i64) -> Result<i32, AppError> {
    sqlx::query_scalar(
        "SELECT v.stock FROM product_variants v JOIN products p ON p.id = v.product_id
         WHERE v.id = $1 AND p.is_published",
    )
    .bind(variant_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found("That product is not available."))
}

async fn ensure_cart(pool: &PgPool, cart_id: Uuid) -> Result<(), AppError> {
    let touched = sqlx::query("UPDATE carts SET updated_at = now() WHERE id = $1")
        .bind(cart_id)
        .execute(pool)
        .await?;
    if touched.rows_affected() == 0 {
        return Err(AppError::not_found("Your cart has expired."));
    }
    Ok(())
}

/// Adds units of a variant to the cart (on top of what the line already holds).
pub async fn add_to_cart(
    pool: &PgPool,
    cart_id: Uuid,
    variant_id: i64,
    quantity: Quantity,
) -> Result<(), AppError> {
    ensure_cart(pool, cart_id).await?;
    let available = buyable_stock(pool, variant_id).await?;
    let already: i32 = sqlx::query_scalar(
        "SELECT quantity FROM cart_lines WHERE cart_id = $1 AND variant_id = $2",
    )
    .bind(cart_id)
    .bind(variant_id)
    .fetch_optional(pool)
    .await?
    .unwrap_or(0);
    let wanted = already + quantity.get();
    if wanted > MAX_QUANTITY {
        return Err(AppError::invalid(format!(
            "A cart holds at most {MAX_QUANTITY} of one item."
        )));
    }
    if wanted > available {
        return Err(only_left(available));
    }
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity) VALUES ($1, $2, $3)
         ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity",
    )
    .bind(cart_id)
    .bind(variant_id)
    .bind(wanted)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets a line's quantity.
pub async fn set_quantity(
    pool: &PgPool,
    cart_id: Uuid,
    variant_id: i64,
    quantity: Quantity,
) -> Result<(), AppError> {
    ensure_cart(pool, cart_id).await?;
    let available = buyable_stock(pool, variant_id).await?;
    if quantity.get() > available {
        return Err(only_left(available));
    }
    let updated =
        sqlx::query("UPDATE cart_lines SET quantity = $3 WHERE cart_id = $1 AND variant_id = $2")
            .bind(cart_id)
            .bind(variant_id)
            .bind(quantity.get())
            .execute(pool)
            .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::not_found("That item is not in your cart."));
    }
    Ok(())
}

pub async fn remove_line(pool: &PgPool, cart_id: Uuid, variant_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
        .bind(cart_id)
        .bind(variant_id)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LineRow {
    variant_id: i64,
    sku: String,
    product_slug: String,
    product_name: String,
    option_values: Vec<String>,
    price_minor: i64,
    currency: String,
    quantity: i32,
    stock: i32,
    category_id: i64,
    product_id: i64,
    weight_grams: i32,
    tax_category_id: Option<i64>,
}

/// The cart's lines with today's catalog prices, oldest first.
pub async fn cart_contents(pool: &PgPool, cart_id: Uuid) -> Result<Vec<CartLineView>, AppError> {
    let rows = sqlx::query_as::<_, LineRow>(
        "SELECT l.variant_id, v.sku, p.slug AS product_slug, p.name AS product_name, v.option_values,
                v.price_minor, p.currency, l.quantity, v.stock, p.category_id, p.id AS product_id,
                p.weight_grams, p.tax_category_id
         FROM cart_lines l
         JOIN product_variants v ON v.id = l.variant_id
         JOIN products p ON p.id = v.product_id
         WHERE l.cart_id = $1
         ORDER BY l.added_at, l.variant_id",
    )
    .bind(cart_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let currency = CurrencyCode::parse(&row.currency).map_err(|_| AppError::Internal)?;
            Ok(CartLineView {
                variant_id: row.variant_id,
                sku: row.sku,
                product_slug: row.product_slug,
                product_name: row.product_name,
                option_values: row.option_values,
                unit_price: Money::new(row.price_minor, currency.clone()),
                quantity: row.quantity,
                line_total: Money::new(row.price_minor * i64::from(row.quantity), currency),
                available: row.stock,
                category_id: row.category_id,
                product_id: row.product_id,
                weight_grams: row.weight_grams,
                tax_category_id: row.tax_category_id,
            })
        })
        .collect()
}

/// Deletes carts untouched for `idle_days` (their lines go with them); orders keep their
/// own snapshot and are not affected. Returns how many carts went.
pub async fn delete_abandoned_carts(pool: &PgPool, idle_days: i32) -> Result<u64, AppError> {
    let deleted =
        sqlx::query("DELETE FROM carts WHERE updated_at < now() - make_interval(days => $1)")
            .bind(idle_days)
            .execute(pool)
            .await?;
    Ok(deleted.rows_affected())
}

/// Gives the account a cart at login: the guest's cart when the account has none, or the
/// account's cart with the guest's lines merged into it (same variant: quantities add,
/// capped by the stock and the line maximum, never below what the account's line held).
/// One transaction; the guest cart is deleted once merged. Returns the cart to use.
pub async fn merge_guest_cart(
    pool: &PgPool,
    account_id: i64,
    guest_cart: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    let mut tx = pool.begin().await?;
    let account_cart: Option<Uuid> =
        sqlx::query_scalar("SELECT cart_id FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    // A session still holding another account's cart (logging in as someone else without
    // logging out) has no guest cart: that cart stays with its account.
    let guest_cart = match guest_cart {
        Some(cart) => {
            let owned_by_other: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE cart_id = $1 AND id <> $2)",
            )
            .bind(cart)
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
            (!owned_by_other).then_some(cart)
        }
        None => None,
    };
    let cart = match (account_cart, guest_cart) {
        (Some(account_cart), Some(guest_cart)) if account_cart != guest_cart => {
            // Both carts locked in id order, like every other multi-cart lock.
            sqlx::query("SELECT id FROM carts WHERE id = ANY($1) ORDER BY id FOR UPDATE")
                .bind([account_cart, guest_cart].as_slice())
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!(
                "INSERT INTO cart_lines (cart_id, variant_id, quantity)
                 SELECT $1, g.variant_id, g.quantity FROM cart_lines g WHERE g.cart_id = $2
                 ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = GREATEST(
                     cart_lines.quantity,
                     LEAST(cart_lines.quantity + EXCLUDED.quantity, {MAX_QUANTITY},
                           (SELECT stock FROM product_variants v WHERE v.id = EXCLUDED.variant_id)))"
            ))
            .bind(account_cart)
            .bind(guest_cart)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM carts WHERE id = $1")
                .bind(guest_cart)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE carts SET updated_at = now() WHERE id = $1")
                .bind(account_cart)
                .execute(&mut *tx)
                .await?;
            Some(account_cart)
        }
        (Some(account_cart), _) => Some(account_cart),
        (None, Some(guest_cart)) => {
            sqlx::query("UPDATE accounts SET cart_id = $2 WHERE id = $1")
                .bind(account_id)
                .bind(guest_cart)
                .execute(&mut *tx)
                .await?;
            Some(guest_cart)
        }
        (None, None) => None,
    };
    tx.commit().await?;
    Ok(cart)
}

/// Makes `cart_id` the account's cart (a logged-in shopper's first cart).
pub async fn attach_to_account(
    pool: &PgPool,
    account_id: i64,
    cart_id: Uuid,
) -> Result<(), AppError> {
    sqlx::query("UPDATE accounts SET cart_id = $2 WHERE id = $1")
        .bind(account_id)
        .bind(cart_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The session's cart, created on first use.
pub async fn session_cart(
    session: &tower_sessions::Session,
    pool: &PgPool,
) -> Result<Uuid, AppError> {
    if let Some(id) = crate::kernel::session::cart_id(session).await? {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM carts WHERE id = $1)")
            .bind(id)
            .fetch_one(pool)
            .await?;
        if exists {
            return Ok(id);
        }
    }
    let id = create_cart(pool).await?;
    if let Some(account_id) = crate::kernel::session::logged_in_account_id(session).await? {
        attach_to_account(pool, account_id, id).await?;
    }
    crate::kernel::session::set_cart(session, Some(id)).await?;
    Ok(id)
}
