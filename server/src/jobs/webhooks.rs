//! Delivering webhook events: a background worker posts each due delivery as JSON, signed
//! with HMAC-SHA256 over the timestamp and the body, and retries failures with exponential
//! backoff (1, 2, 4 … minutes, at most 6 hours apart). Deliveries are claimed with
//! `FOR UPDATE SKIP LOCKED`, so several server processes can run the worker and no
//! delivery is attempted by two of them at once. Delivery is at least once: receivers drop
//! duplicates by the event id (`Stoa-Event-Id`).

use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper::body::Bytes;
use sha2::Sha256;
use sqlx::PgPool;
use std::time::Duration;

pub use crate::outbound::{http_client, HttpClient};

/// How many deliveries one pass handles.
const BATCH: i64 = 20;
/// A receiver that has not answered by then counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = app::kernel::encoding::hex(&mac.finalize().into_bytes());
    format!("t={timestamp},v1={digest}")
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    event_id: uuid::Uuid,
    event_type: String,
    payload: serde_json::Value,
    created_at: chrono::DateTime<chrono::Utc>,
    url: String,
    secret: String,
    attempts: i32,
}

/// Attempts every due delivery once; returns how many were delivered.
pub async fn deliver_due(pool: &PgPool, client: &HttpClient) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let due: Vec<Due> = sqlx::query_as(
        "SELECT d.id, d.event_id, ev.event_type, ev.payload, ev.created_at, e.url, e.secret, d.attempts
         FROM webhook_deliveries d
         JOIN webhook_events ev ON ev.id = d.event_id
         JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE d.delivered_at IS NULL AND d.next_attempt_at <= now() AND e.is_active
         ORDER BY d.id LIMIT $1
         FOR UPDATE OF d SKIP LOCKED",
    )
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut delivered = 0;
    for delivery in due {
        let outcome = post(client, &delivery).await;
        match outcome {
            Ok(status) if (200..300).contains(&status) => {
                delivered += 1;
                sqlx::query(
                    "UPDATE webhook_deliveries SET delivered_at = now(), attempts = attempts + 1,
                            last_status = $2, last_error = NULL, last_attempt_at = now() WHERE id = $1",
                )
                .bind(delivery.id)
                .bind(i32::from(status))
                .execute(&mut *tx)
                .await?;
            }
            failed => {
                let (status, error) = match failed {
                    Ok(status) => (Some(i32::from(status)), format!("answered HTTP {status}")),
                    Err(error) => (None, error),
                };
                let backoff_secs = 60.0 * 2_f64.powi(delivery.attempts.min(9)).min(360.0);
                sqlx::query(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
                            last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $4)
                     WHERE id = $1",
                )
                .bind(delivery.id)
                .bind(status)
                .bind(&error)
                .bind(backoff_secs)
                .execute(&mut *tx)
                .await?;
                tracing::warn!(delivery = delivery.id, url = %delivery.url, %error, "webhook delivery failed; will retry");
            }
        }
    }
    tx.commit().await?;
    Ok(delivered)
}

async fn post(client: &HttpClient, delivery: &Due) -> Result<u16, String> {
    let body = serde_json::to_vec(&serde_json::json!({
        "id": delivery.event_id,
        "type": delivery.event_type,
        "created_at": delivery.created_at.to_rfc3339(),
        "data": delivery.payload,
    }))
    .map_err(|e| e.to_string())?;
    let timestamp = chrono::Utc::now().timestamp();
    let request = hyper::Request::post(&delivery.url)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::USER_AGENT, "Stoa-Webhooks/1")
        .header("Stoa-Event-Id", delivery.event_id.to_string())
        .header("Stoa-Event-Type", &delivery.event_type)
        .header(
            "Stoa-Signature",
            signature(&delivery.secret, timestamp, &body),
        )
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("bad request: {e}"))?;
    match tokio::time::timeout(REQUEST_TIMEOUT, client.request(request)).await {
        Ok(Ok(response)) => Ok(response.status().as_u16()),
        Ok(Err(error)) => Err(format!("could not deliver: {error}")),
        Err(_) => Err(format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())),
    }
}

/// Runs `deliver_due` every few seconds while the server runs.
pub fn spawn_worker(pool: PgPool) {
    tokio::spawn(async move {
        let client = http_client();
        loop {
            match deliver_due(&pool, &client).await {
                Ok(n) if n == BATCH as usize => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "webhook worker: database error"),
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
}
