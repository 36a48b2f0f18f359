//! Maintenance mode: reading it, and turning it on or off (audited).

use crate::audit::{record, Actor, Change};
use crate::kernel::error::AppError;
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
