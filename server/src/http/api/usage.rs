//! Counting each key's requests and errors for the Integrations page: the middleware
//! around `/api/v1` leaves a slot in the request that the key extractor fills with the
//! key's id; after the answer, the count is kept in memory and written every few seconds
//! (`spawn_usage_writer`), so a busy integration adds no write per request.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

/// Where the key extractor writes which key made the request.
#[derive(Clone, Default)]
pub struct CallerSlot(Arc<OnceLock<i64>>);

impl CallerSlot {
    pub fn fill(&self, key_id: i64) {
        let _ = self.0.set(key_id);
    }
}

/// Requests and errors per key id, not yet written.
static UNWRITTEN: LazyLock<Mutex<HashMap<i64, (i64, i64)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn counts() -> std::sync::MutexGuard<'static, HashMap<i64, (i64, i64)>> {
    UNWRITTEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn add(key_id: i64, requests: i64, errors: i64) {
    let mut counts = counts();
    let entry = counts.entry(key_id).or_insert((0, 0));
    entry.0 += requests;
    entry.1 += errors;
}

pub async fn count_requests(mut request: Request, next: Next) -> Response {
    let slot = CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    if let Some(&key_id) = slot.0.get() {
        let failed = response.status().is_client_error() || response.status().is_server_error();
        add(key_id, 1, i64::from(failed));
    }
    response
}

/// Writes what was counted since the last call; on failure the counts are kept.
pub async fn write_counted_usage(pool: &PgPool) -> Result<(), sqlx::Error> {
    let taken: Vec<(i64, i64, i64)> = counts()
        .drain()
        .map(|(key, (requests, errors))| (key, requests, errors))
        .collect();
    if let Err(error) = app::integrations::keys::add_usage(pool, &taken).await {
        for (key, requests, errors) in taken {
            add(key, requests, errors);
        }
        return Err(error);
    }
    Ok(())
}

pub fn spawn_usage_writer(pool: PgPool) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            ticker.tick().await;
            if let Err(error) = write_counted_usage(&pool).await {
                tracing::warn!(?error, "writing API key usage failed");
            }
        }
    });
}
