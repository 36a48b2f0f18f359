//! The event feed: every event the store emits (`webhooks::outbox::emit`), numbered in the
//! order its transaction became visible. A sequencer numbers events only once every
//! transaction older than them has finished, so a later number never shows up before an
//! earlier one: a reader that remembers its last number misses nothing.

use crate::integrations::model::Scope;
use crate::kernel::error::AppError;
use serde::Serialize;
use sqlx::PgPool;

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApiEvent {
    /// Increases by one per event (a gap only where a numbering was rolled back).
    pub seq: i64,
    /// The id webhook deliveries carry as `Stoa-Event-Id`.
    pub id: String,
    /// order.created, order.paid, order.fulfilled, order.refunded, product.updated, stock.low…
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339.
    pub created_at: String,
    /// What the webhook delivers for this event.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub events: Vec<ApiEvent>,
    /// Pass as `after` next time (the last event's number, or `after` again).
    pub last_seq: i64,
    pub has_more: bool,
}

/// Numbers every event whose transaction is older than all running ones, in that order;
/// one sequencer at a time across processes. Returns how many it numbered.
pub async fn sequence(pool: &PgPool) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let got: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('stoa event sequencer'))")
            .fetch_one(&mut *tx)
            .await?;
    if !got {
        return Ok(0);
    }
    let numbered = sqlx::query(
        "UPDATE webhook_events e SET seq = n.seq
         FROM (SELECT id, nextval('webhook_event_seq') AS seq
               FROM (SELECT id FROM webhook_events
                     WHERE seq IS NULL AND change_xid < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY change_xid, created_at, id LIMIT 10000) ordered) n
         WHERE e.id = n.id",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(numbered.rows_affected())
}

/// The event types a key with `scopes` may read: orders with `orders:read`, products and
/// stock with `catalog:read`.
fn readable_prefixes(scopes: &[Scope]) -> Vec<&'static str> {
    let mut prefixes = Vec::new();
    if scopes.contains(&Scope::OrdersRead) {
        prefixes.push("order.");
    }
    if scopes.contains(&Scope::CatalogRead) {
        prefixes.push("product.");
        prefixes.push("stock.");
    }
    prefixes
}

/// Events after `after`, oldest first, of the kinds the key may read.
pub async fn after(
    pool: &PgPool,
    scopes: &[Scope],
    after: i64,
    limit: Option<i64>,
) -> Result<EventPage, AppError> {
    let limit = crate::integrations::cursor::page_size(limit)?;
    if after < 0 {
        return Err(AppError::invalid("`after` is 0 or an event's `seq`."));
    }
    sequence(pool).await?;
    let prefixes: Vec<String> = readable_prefixes(scopes)
        .into_iter()
        .map(|p| format!("{p}%"))
        .collect();
    let rows: Vec<(
        i64,
        uuid::Uuid,
        String,
        chrono::DateTime<chrono::Utc>,
        serde_json::Value,
    )> = sqlx::query_as(
        "SELECT seq, id, event_type, created_at, payload FROM webhook_events
             WHERE seq > $1 AND event_type LIKE ANY($2)
             ORDER BY seq LIMIT $3",
    )
    .bind(after)
    .bind(&prefixes)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() as i64 > limit;
    let events: Vec<ApiEvent> = rows
        .into_iter()
        .take(limit as usize)
        .map(|(seq, id, kind, created_at, payload)| ApiEvent {
            seq,
            id: id.to_string(),
            kind,
            created_at: created_at.to_rfc3339(),
            payload,
        })
        .collect();
    Ok(EventPage {
        last_seq: events.last().map_or(after, |e| e.seq),
        events,
        has_more,
    })
}
