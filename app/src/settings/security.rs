//! Whether owners and admins must log in with a second factor (audited when changed).

use crate::audit::{record, Actor, Change};
use crate::kernel::error::AppError;
use sqlx::PgPool;

pub async fn staff_two_factor_required(pool: &PgPool) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT require_staff_two_factor FROM store_settings")
            .fetch_one(pool)
            .await?,
    )
}

pub async fn set_staff_two_factor_required(
    pool: &PgPool,
    actor: &Actor,
    required: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let before: bool =
        sqlx::query_scalar("SELECT require_staff_two_factor FROM store_settings FOR UPDATE")
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("UPDATE store_settings SET require_staff_two_factor = $1")
        .bind(required)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "settings.staff_two_factor",
            entity_type: "settings",
            entity_id: "staff_two_factor".to_owned(),
            before: Some(serde_json::json!({ "required": before })),
            after: Some(serde_json::json!({ "required": required })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
