//! Writing and reading the audit log.

use crate::audit::model::{AuditEntry, AuditFilter, AuditPage};
use crate::kernel::error::AppError;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

/// Who is making a change from the staff area, and from which address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub client_address: String,
}

/// What changed: an action such as `product.update` on an entity such as `product` 42,
/// with the values before and after (either may be absent: nothing before a creation).
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A value as the audit log keeps it.
pub fn snapshot(value: &impl Serialize) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(value).map_err(|error| {
        tracing::error!(%error, "audit value is not serializable");
        AppError::Internal
    })
}

/// Appends the change to the audit log. Call inside the transaction of the change, so the
/// record exists exactly when the change does.
pub async fn record(
    connection: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, actor_email, action, entity_type, entity_id, before, after, client_address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(actor.id)
    .bind(&actor.email)
    .bind(change.action)
    .bind(change.entity_type)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .bind(&actor.client_address)
    .execute(connection)
    .await?;
    Ok(())
}

pub const AUDIT_PAGE_SIZE: i64 = 50;

/// A page of the audit log, newest first, filtered.
pub async fn browse(pool: &PgPool, filter: &AuditFilter) -> Result<AuditPage, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
        actor_email: String,
        action: String,
        entity_type: String,
        entity_id: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
        client_address: Option<String>,
    }
    if filter.actor.chars().count() > 254 || filter.entity_id.chars().count() > 100 {
        return Err(AppError::invalid("The filter is too long."));
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor_email, action, entity_type, entity_id, before, after, client_address
         FROM audit_log
         WHERE ($1 = '' OR entity_type = $1)
           AND ($2 = '' OR entity_id = $2)
           AND ($3 = '' OR actor_email ILIKE '%' || $3 || '%')
           AND ($4::bigint IS NULL OR id < $4)
         ORDER BY id DESC LIMIT $5",
    )
    .bind(filter.entity_type.trim())
    .bind(filter.entity_id.trim())
    .bind(crate::kernel::db::escape_like(&filter.actor))
    .bind(filter.before_id)
    .bind(crate::kernel::paging::rows_to_fetch(AUDIT_PAGE_SIZE))
    .fetch_all(pool)
    .await?;
    let (rows, next_before_id) =
        crate::kernel::paging::keyset_page(rows, AUDIT_PAGE_SIZE, |r| r.id);
    let json_text = |value: Option<serde_json::Value>| {
        value
            .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
            .unwrap_or_default()
    };
    Ok(AuditPage {
        entries: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                actor_email: r.actor_email,
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                before: json_text(r.before),
                after: json_text(r.after),
                client_address: r.client_address.unwrap_or_default(),
            })
            .collect(),
        next_before_id,
    })
}
