//! The storefront events behind the dashboard's conversion funnel: visits, carts created
//! and checkouts started (orders come from the orders table). Each is an insert-only row,
//! so recording never contends with checkout for a shared counter row.

use sqlx::PgPool;
use uuid::Uuid;

/// Adds `count` visits (the server counts them in memory and writes them in batches).
pub async fn record_visits(pool: &PgPool, count: i32) -> Result<(), sqlx::Error> {
    if count > 0 {
        sqlx::query("INSERT INTO storefront_events (kind, count) VALUES ('visit', $1)")
            .bind(count)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Creates a cart and counts it, in one statement.
pub async fn create_counted_cart(pool: &PgPool) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "WITH cart AS (INSERT INTO carts DEFAULT VALUES RETURNING id),
              counted AS (INSERT INTO storefront_events (kind) VALUES ('cart'))
         SELECT id FROM cart",
    )
    .fetch_one(pool)
    .await
}

/// Counts the cart's first visit to the checkout (later visits change nothing).
pub async fn record_checkout_started(pool: &PgPool, cart: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH started AS (
             UPDATE carts SET checkout_started_at = now()
             WHERE id = $1 AND checkout_started_at IS NULL RETURNING id
         )
         INSERT INTO storefront_events (kind) SELECT 'checkout' FROM started",
    )
    .bind(cart)
    .execute(pool)
    .await?;
    Ok(())
}
