//! Registering and pausing webhook endpoints from the staff area, each change audited in
//! its own transaction.

use crate::audit::{record, Actor, Change};
use crate::kernel::error::AppError;
use crate::webhooks::model::WebhookForm;
use sqlx::PgPool;

/// Registers a webhook endpoint; the audit record never holds its secret.
pub async fn add_webhook(
    pool: &PgPool,
    actor: &Actor,
    form: &WebhookForm,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let events = form.events();
    let id =
        crate::webhooks::outbox::add_endpoint_in(&mut tx, &form.url, &form.secret, &events).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "webhook.add",
            entity_type: "webhook",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "url": form.url.trim(), "events": events })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Pauses or resumes a webhook endpoint.
pub async fn set_webhook_active(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    on: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    crate::webhooks::outbox::set_endpoint_active(&mut tx, id, on).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: if on {
                "webhook.resume"
            } else {
                "webhook.pause"
            },
            entity_type: "webhook",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({ "active": !on })),
            after: Some(serde_json::json!({ "active": on })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Has an endpoint's failed deliveries (or one of them) tried again now instead of at
/// their next scheduled time: after the receiver is fixed, nobody waits hours for the
/// backoff. Returns how many were due again; audited.
pub async fn retry_failing(
    pool: &PgPool,
    actor: &Actor,
    endpoint_id: i64,
    delivery_id: Option<i64>,
) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let active: Option<bool> =
        sqlx::query_scalar("SELECT is_active FROM webhook_endpoints WHERE id = $1")
            .bind(endpoint_id)
            .fetch_optional(&mut *tx)
            .await?;
    match active {
        None => return Err(AppError::not_found("There is no such webhook endpoint.")),
        Some(false) => {
            return Err(AppError::invalid(
                "The endpoint is paused: resume it, and its deliveries are tried again.",
            ))
        }
        Some(true) => {}
    }
    let due = sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = now()
         WHERE endpoint_id = $1 AND ($2::bigint IS NULL OR id = $2)
           AND delivered_at IS NULL AND attempts > 0",
    )
    .bind(endpoint_id)
    .bind(delivery_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if due == 0 {
        return Err(AppError::invalid(
            "Nothing to try again: the deliveries were delivered meanwhile.",
        ));
    }
    record(
        &mut tx,
        actor,
        Change {
            action: "webhook.retry",
            entity_type: "webhook",
            entity_id: endpoint_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "deliveries": due, "delivery_id": delivery_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(due)
}
