//! Writing events to the webhook outbox, and registering endpoints.

use crate::kernel::error::AppError;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

pub const EVENT_TYPES: [&str; 7] = [
    "order.created",
    "order.paid",
    "order.fulfilled",
    "order.refunded",
    "order.cancelled",
    "product.updated",
    "stock.low",
];

/// Records `event_type` with `payload` (for the integration API's event feed) and a
/// delivery for every active endpoint that subscribed to it. Call inside the transaction
/// of the change the event reports.
pub async fn emit(
    connection: &mut PgConnection,
    event_type: &str,
    payload: Value,
) -> Result<(), sqlx::Error> {
    // One statement, one round trip on the checkout path.
    sqlx::query(
        "WITH event AS (
             INSERT INTO webhook_events (event_type, payload) VALUES ($1, $2) RETURNING id
         )
         INSERT INTO webhook_deliveries (event_id, endpoint_id)
         SELECT event.id, e.id FROM event, webhook_endpoints e
         WHERE e.is_active AND $1 = ANY(e.events)",
    )
    .bind(event_type)
    .bind(payload)
    .execute(connection)
    .await?;
    Ok(())
}

/// Registers an endpoint for some event types; returns its id.
pub async fn add_endpoint(
    pool: &PgPool,
    url: &str,
    secret: &str,
    events: &[String],
) -> Result<i64, AppError> {
    add_endpoint_in(&mut *pool.acquire().await?, url, secret, events).await
}

/// [`add_endpoint`] inside the caller's transaction.
pub async fn add_endpoint_in(
    connection: &mut PgConnection,
    url: &str,
    secret: &str,
    events: &[String],
) -> Result<i64, AppError> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
    {
        return Err(AppError::invalid(
            "Enter the endpoint's full address, starting with https://.",
        ));
    }
    if secret.chars().count() < 16 {
        return Err(AppError::invalid("Use a secret of at least 16 characters."));
    }
    if events.is_empty() || events.iter().any(|e| !EVENT_TYPES.contains(&e.as_str())) {
        return Err(AppError::invalid(format!(
            "Choose events among: {}.",
            EVENT_TYPES.join(", ")
        )));
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO webhook_endpoints (url, secret, events) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(url)
    .bind(secret)
    .bind(events)
    .fetch_one(connection)
    .await?)
}

/// Pauses or resumes an endpoint, inside the caller's transaction.
pub async fn set_endpoint_active(
    connection: &mut PgConnection,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let updated = sqlx::query("UPDATE webhook_endpoints SET is_active = $2 WHERE id = $1")
        .bind(id)
        .bind(active)
        .execute(connection)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::not_found("There is no such webhook endpoint."));
    }
    Ok(())
}

/// Endpoints, and the 50 most recent deliveries, for the staff area.
pub async fn overview(pool: &PgPool) -> Result<crate::webhooks::model::WebhooksOverview, AppError> {
    use crate::webhooks::model::{WebhookDeliveryRow, WebhookEndpointRow, WebhooksOverview};
    #[derive(sqlx::FromRow)]
    struct EndpointStats {
        id: i64,
        url: String,
        events: Vec<String>,
        is_active: bool,
        last_attempt: Option<chrono::DateTime<chrono::Utc>>,
        attempts_7d: i64,
        delivered_7d: i64,
        failing: i64,
    }
    // A delivery's attempts all failed but the last, which failed too unless delivered.
    let endpoints: Vec<EndpointStats> = sqlx::query_as(
        "SELECT e.id, e.url, e.events, e.is_active,
                (SELECT max(d.last_attempt_at) FROM webhook_deliveries d WHERE d.endpoint_id = e.id) AS last_attempt,
                coalesce(sum(d.attempts), 0)::bigint AS attempts_7d,
                count(d.delivered_at) AS delivered_7d,
                (SELECT count(*) FROM webhook_deliveries f
                 WHERE f.endpoint_id = e.id AND f.delivered_at IS NULL AND f.attempts > 0) AS failing
         FROM webhook_endpoints e
         LEFT JOIN webhook_deliveries d
                ON d.endpoint_id = e.id AND d.last_attempt_at > now() - interval '7 days'
         GROUP BY e.id ORDER BY e.id",
    )
    .fetch_all(pool)
    .await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        event_id: uuid::Uuid,
        event_type: String,
        url: String,
        id: i64,
        endpoint_id: i64,
        attempts: i32,
        delivered_at: Option<chrono::DateTime<chrono::Utc>>,
        last_error: Option<String>,
        next_attempt_at: chrono::DateTime<chrono::Utc>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.event_id, ev.event_type, e.url, d.id, d.endpoint_id, d.attempts, d.delivered_at, d.last_error, d.next_attempt_at
         FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
         JOIN webhook_endpoints e ON e.id = d.endpoint_id
         ORDER BY d.id DESC LIMIT 50",
    )
    .fetch_all(pool)
    .await?;
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    Ok(WebhooksOverview {
        endpoints: endpoints
            .into_iter()
            .map(|e| WebhookEndpointRow {
                id: e.id,
                url: e.url,
                events: e.events,
                is_active: e.is_active,
                last_attempt: e.last_attempt.map(time),
                attempts_7d: e.attempts_7d,
                failed_attempts_7d: e.attempts_7d - e.delivered_7d,
                failing: e.failing,
            })
            .collect(),
        deliveries: rows
            .into_iter()
            .map(|r| WebhookDeliveryRow {
                id: r.id,
                endpoint_id: r.endpoint_id,
                failing: r.delivered_at.is_none() && r.attempts > 0,
                event_id: r.event_id.to_string(),
                event_type: r.event_type,
                url: r.url,
                attempts: r.attempts,
                state: match (r.delivered_at, r.last_error) {
                    (Some(at), _) => format!("Delivered {}", time(at)),
                    (None, Some(error)) => {
                        format!("Failed: {error}; next try {}", time(r.next_attempt_at))
                    }
                    (None, None) => "Waiting".to_owned(),
                },
            })
            .collect(),
    })
}
