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
