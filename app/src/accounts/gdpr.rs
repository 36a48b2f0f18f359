//! A customer's rights over their data: a complete copy as JSON, and erasure. Erasure
//! deletes the account and everything personal; orders stay as fiscal records (amounts,
//! tax, country, what was sold) without a name, email, street or card digits, and the
//! payment provider stops keeping the customer's saved cards.

use crate::kernel::error::AppError;
use serde_json::{json, Value};
use sqlx::PgPool;

/// Everything the store holds about the account, as one JSON document.
pub async fn export(pool: &PgPool, account_id: i64) -> Result<Value, AppError> {
    let mut tx = pool.begin().await?;
    // One snapshot: the parts of the document agree with each other.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    let account: Option<Value> = sqlx::query_scalar(
        "SELECT json_build_object(
                    'email', email, 'name', name, 'role', role,
                    'created_at', created_at, 'email_confirmed_at', email_verified_at)
         FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(account) = account else {
        return Err(AppError::not_found("That account does not exist."));
    };
    let addresses: Value = sqlx::query_scalar(
        "SELECT coalesce(json_agg(json_build_object(
                    'name', name, 'line1', line1, 'line2', line2, 'city', city,
                    'postal_code', postal_code, 'country', country, 'is_default', is_default,
                    'created_at', created_at) ORDER BY id), '[]'::json)
         FROM account_addresses WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    let orders: Value = sqlx::query_scalar(
        "SELECT coalesce(json_agg(json_build_object(
                    'number', o.number, 'placed_at', o.placed_at, 'status', o.status,
                    'email', o.email, 'currency', o.currency,
                    'subtotal_minor', o.subtotal_minor, 'shipping_minor', o.shipping_minor,
                    'tax_minor', o.tax_minor, 'total_minor', o.total_minor,
                    'shipping_address', json_build_object(
                        'name', o.ship_name, 'line1', o.ship_line1, 'line2', o.ship_line2,
                        'city', o.ship_city, 'postal_code', o.ship_postal_code, 'country', o.ship_country),
                    'shipping_method', o.shipping_method,
                    'payment', json_build_object('provider', o.payment_provider,
                                                 'card_brand', o.card_brand, 'card_last4', o.card_last4),
                    'lines', (SELECT coalesce(json_agg(json_build_object(
                                  'sku', l.sku, 'product_name', l.product_name, 'options', l.option_values,
                                  'quantity', l.quantity, 'unit_price_minor', l.unit_price_minor,
                                  'line_total_minor', l.line_total_minor) ORDER BY l.id), '[]'::json)
                              FROM order_lines l WHERE l.order_id = o.id),
                    'history', (SELECT coalesce(json_agg(json_build_object(
                                    'status', t.to_status, 'at', t.at) ORDER BY t.at, t.id), '[]'::json)
                                FROM order_transitions t WHERE t.order_id = o.id)
                ) ORDER BY o.placed_at, o.id), '[]'::json)
         FROM orders o WHERE o.account_id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    let cart: Value = sqlx::query_scalar(
        "SELECT coalesce(json_agg(json_build_object(
                    'sku', v.sku, 'product_name', p.name, 'quantity', l.quantity, 'added_at', l.added_at)
                    ORDER BY l.added_at), '[]'::json)
         FROM accounts a JOIN cart_lines l ON l.cart_id = a.cart_id
         JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
         WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    let saved_cards: Value = sqlx::query_scalar(
        "SELECT coalesce(json_agg(json_build_object(
                    'brand', brand, 'last4', last4, 'exp_month', exp_month, 'exp_year', exp_year,
                    'saved_at', saved_at) ORDER BY id), '[]'::json)
         FROM saved_cards WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    let emails: Value = sqlx::query_scalar(
        "SELECT coalesce(json_agg(json_build_object(
                    'subject', e.subject, 'created_at', e.created_at, 'sent_at', e.sent_at) ORDER BY e.id), '[]'::json)
         FROM outbox_emails e JOIN accounts a ON lower(e.recipient) = lower(a.email) WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(json!({
        "format": "stoa-account-export/1",
        "exported_at": chrono::Utc::now().to_rfc3339(),
        "account": account,
        "addresses": addresses,
        "orders": orders,
        "cart": cart,
        "saved_cards": saved_cards,
        "emails": emails,
    }))
}

/// Erases a customer account. Staff accounts are removed by the owner instead.
/// `by_staff` is the staff member erasing on the customer's behalf, for the audit log
/// (which records the account id only, never the erased data).
pub async fn erase(
    pool: &PgPool,
    gateways: &crate::payments::PaymentGateways,
    account_id: i64,
    by_staff: Option<&crate::audit::Actor>,
) -> Result<(), AppError> {
    let is_staff: Option<bool> =
        sqlx::query_scalar("SELECT role IS NOT NULL FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    if is_staff == Some(false) {
        // First, so a provider that cannot be reached stops the erasure before any of it.
        crate::accounts::saved_cards::forget_all(pool, gateways, account_id).await?;
    }
    let mut tx = pool.begin().await?;
    let account: Option<(String, bool, Option<uuid::Uuid>)> = sqlx::query_as(
        "SELECT email, role IS NOT NULL, cart_id FROM accounts WHERE id = $1 FOR UPDATE",
    )
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((email, is_staff, cart)) = account else {
        return Err(AppError::not_found("That account does not exist."));
    };
    if is_staff {
        return Err(AppError::Forbidden(
            "Staff accounts are removed by the store's owner.".to_owned(),
        ));
    }
    // Stored events (webhooks, the API's feed) lose the order's copy of the person too.
    sqlx::query(
        "UPDATE webhook_events SET payload = payload - 'order'
         WHERE payload ? 'order' AND payload->'order'->>'number' IN (
             SELECT number FROM orders WHERE account_id = $1 OR lower(email) = lower($2))",
    )
    .bind(account_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    // Orders keep amounts, tax, country and lines; the person behind them goes.
    sqlx::query(
        "UPDATE orders SET email = 'erased-' || id || '@erased.invalid', ship_name = 'Erased',
                ship_line1 = 'Erased', ship_line2 = '', ship_city = 'Erased', ship_postal_code = '-',
                card_last4 = NULL, account_id = NULL, erased_at = now()
         WHERE account_id = $1 OR lower(email) = lower($2)",
    )
    .bind(account_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM outbox_emails WHERE lower(recipient) = lower($1)")
        .bind(&email)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM failed_attempts WHERE key = lower($1)")
        .bind(&email)
        .execute(&mut *tx)
        .await?;
    // Addresses and pending links go with the account (ON DELETE CASCADE).
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if let Some(cart) = cart {
        sqlx::query("DELETE FROM carts WHERE id = $1")
            .bind(cart)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(staff) = by_staff {
        crate::audit::record(
            &mut tx,
            staff,
            crate::audit::Change {
                action: "customer.erase",
                entity_type: "customer",
                entity_id: account_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "erased": true })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
