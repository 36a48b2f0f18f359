//! Moving an order from one status to another: the only way statuses change.

use crate::error::AppError;
use crate::orders::model::OrderStatus;
use sqlx::PgPool;

/// Moves the order to `next` when the state machine allows it, recording the transition
/// with its time. Cancelling puts the ordered units back in stock, in the same
/// transaction. Asking for the status the order already has changes nothing and succeeds,
/// so a double click or a retry does the work once.
pub async fn transition_order(
    pool: &PgPool,
    order_id: i64,
    next: OrderStatus,
    note: &str,
) -> Result<OrderStatus, AppError> {
    let mut tx = pool.begin().await?;
    let current: OrderStatus =
        sqlx::query_scalar("SELECT status FROM orders WHERE id = $1 FOR UPDATE")
            .bind(order_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such order."))?;
    if current == next {
        return Ok(current);
    }
    if !current.can_become(next) {
        return Err(AppError::invalid(format!(
            "An order that is “{}” cannot become “{}”.",
            current.label(),
            next.label()
        )));
    }
    if next.returns_stock() {
        // One variant at a time in variant-id order, like placement, so restocking can
        // never deadlock with a checkout that holds the same variants.
        let lines: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT variant_id, sum(quantity)::bigint FROM order_lines
             WHERE order_id = $1 AND variant_id IS NOT NULL
             GROUP BY variant_id ORDER BY variant_id",
        )
        .bind(order_id)
        .fetch_all(&mut *tx)
        .await?;
        for (variant_id, quantity) in lines {
            sqlx::query("UPDATE product_variants SET stock = stock + $2 WHERE id = $1")
                .bind(variant_id)
                .bind(i32::try_from(quantity).map_err(|_| AppError::Internal)?)
                .execute(&mut *tx)
                .await?;
        }
    }
    let number: String =
        sqlx::query_scalar("UPDATE orders SET status = $2 WHERE id = $1 RETURNING number")
            .bind(order_id)
            .bind(next)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("INSERT INTO order_transitions (order_id, from_status, to_status, note) VALUES ($1, $2, $3, $4)")
        .bind(order_id)
        .bind(current)
        .bind(next)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    if let Some(event_type) = next.webhook_event() {
        crate::webhooks::outbox::emit(
            &mut tx,
            event_type,
            serde_json::json!({ "number": number, "status": next.as_str(), "previous_status": current.as_str() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(next)
}
