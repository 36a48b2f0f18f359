//! Store settings staff change from the staff area: maintenance mode and webhook
//! endpoints, each change audited in its own transaction.

use crate::admin::audit::record::{record, Actor, Change};
use crate::admin::model::WebhookForm;
use crate::error::AppError;
use sqlx::PgPool;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maintenance {
    pub on: bool,
    /// Shown to shoppers on the maintenance page; empty for the standard text.
    pub message: String,
}

pub async fn maintenance(pool: &PgPool) -> Result<Maintenance, AppError> {
    let (on, message): (bool, String) =
        sqlx::query_as("SELECT maintenance_mode, maintenance_message FROM store_settings")
            .fetch_one(pool)
            .await?;
    Ok(Maintenance { on, message })
}

pub async fn set_maintenance(
    pool: &PgPool,
    actor: &Actor,
    on: bool,
    message: &str,
) -> Result<(), AppError> {
    let message = message.trim();
    if message.chars().count() > 500 || message.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            "The message can be at most 500 printable characters.",
        ));
    }
    let mut tx = pool.begin().await?;
    let before: (bool, String) = sqlx::query_as(
        "SELECT maintenance_mode, maintenance_message FROM store_settings FOR UPDATE",
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE store_settings SET maintenance_mode = $1, maintenance_message = $2")
        .bind(on)
        .bind(message)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "settings.maintenance",
            entity_type: "settings",
            entity_id: "maintenance".to_owned(),
            before: Some(serde_json::json!({ "on": before.0, "message": before.1 })),
            after: Some(serde_json::json!({ "on": on, "message": message })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

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
