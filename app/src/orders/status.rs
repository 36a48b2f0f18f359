//! Moving an order from one status to another: the only way statuses change.

use crate::kernel::error::AppError;
use crate::orders::model::OrderStatus;
use sqlx::{PgConnection, PgPool};

/// Moves the order to `next` when the state machine allows it, in a transaction of its
/// own. See [`transition_order_in`].
pub async fn transition_order(
    pool: &PgPool,
    order_id: i64,
    next: OrderStatus,
    note: &str,
) -> Result<OrderStatus, AppError> {
    let mut tx = pool.begin().await?;
    let moved = transition_order_in(&mut tx, order_id, next, note).await?;
    tx.commit().await?;
    Ok(moved.to)
}

/// A status change that happened (or, when `from == to`, was already done).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moved {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

impl Moved {
    pub fn changed(self) -> bool {
        self.from != self.to
    }
}

/// Moves the order to `next` when the state machine allows it, recording the transition
/// with its time, inside the caller's transaction. Cancelling puts the ordered units back
/// in stock; refunding marks the whole total refunded. Asking for the status the order
/// already has changes nothing and succeeds, so a double click or a retry does the work
/// once.
pub async fn transition_order_in(
    tx: &mut PgConnection,
    order_id: i64,
    next: OrderStatus,
    note: &str,
) -> Result<Moved, AppError> {
    let current: OrderStatus =
        sqlx::query_scalar("SELECT status FROM orders WHERE id = $1 FOR UPDATE")
            .bind(order_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such order."))?;
    if current == next {
        return Ok(Moved {
            from: current,
            to: current,
        });
    }
    if !current.can_become(next) {
        return Err(AppError::invalid(format!(
            "An order that is “{}” cannot become “{}”.",
            current.label(),
            next.label()
        )));
    }
    if next.returns_stock() {
        // A cancelled order gives its promotions' uses back.
        crate::promotions::repo::release_uses(&mut *tx, order_id).await?;
        crate::inventory::ledger::name_reason(&mut *tx, "cancellation", "", None, None).await?;
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
    let (number, total_minor, refunded_minor): (String, i64, i64) = sqlx::query_as(
        "UPDATE orders SET status = $2,
             refunded_minor = CASE WHEN $2 = 'refunded'::order_status THEN total_minor ELSE refunded_minor END
         WHERE id = $1 RETURNING number, total_minor, refunded_minor",
    )
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
        let event = crate::orders::event_payload::with_order(
            &mut *tx,
            order_id,
            serde_json::json!({
                "number": number, "status": next.as_str(), "previous_status": current.as_str(),
                "total_minor": total_minor, "refunded_minor": refunded_minor,
            }),
        )
        .await?;
        crate::webhooks::outbox::emit(&mut *tx, event_type, event).await?;
    }
    Ok(Moved {
        from: current,
        to: next,
    })
}
