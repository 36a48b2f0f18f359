//! Who calls the API: the key in `Authorization: Bearer …` (401 without a valid one), its
//! scopes (403 without the one an endpoint needs), and a request rate per key (429 with
//! `Retry-After` above it).

use super::error::ApiError;
use crate::state::AppState;
use app::integrations::keys::{self, ApiCaller};
use app::integrations::model::Scope;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

/// Requests per second a key may make on average (STOA_API_REQUESTS_PER_SECOND, default
/// 100), with bursts of twice that; per server process.
static RATE: LazyLock<f64> = LazyLock::new(|| {
    std::env::var("STOA_API_REQUESTS_PER_SECOND")
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|rate| (1.0..=100_000.0).contains(rate))
        .unwrap_or(100.0)
});

/// Tokens left and when they were counted, per key.
static BUCKETS: LazyLock<Mutex<HashMap<i64, (f64, Instant)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Takes one request from the key's bucket, or says how long until one is free.
fn take_token(key_id: i64) -> Result<(), u64> {
    let rate = *RATE;
    let burst = rate * 2.0;
    let now = Instant::now();
    let mut buckets = BUCKETS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (tokens, counted) = buckets.entry(key_id).or_insert((burst, now));
    *tokens = (*tokens + now.duration_since(*counted).as_secs_f64() * rate).min(burst);
    *counted = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
    }
}

/// An authenticated API call.
pub struct ApiKey {
    pub caller: ApiCaller,
    /// The client's address, as the audit log records it.
    pub client: String,
}

impl ApiKey {
    /// The caller, when its key has `scope`; 403 naming the scope otherwise.
    pub fn require(&self, scope: Scope) -> Result<&ApiCaller, ApiError> {
        if self.caller.allows(scope) {
            Ok(&self.caller)
        } else {
            Err(ApiError::Forbidden(format!(
                "This key lacks the `{}` scope; an admin can make a key that has it.",
                scope.as_str()
            )))
        }
    }

    pub fn actor(&self) -> app::audit::Actor {
        self.caller.actor(&self.client)
    }
}

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "Send an API key as `Authorization: Bearer stoa_…` (admins make keys in the staff area or with `stoa api-key create`).".to_owned(),
                )
            })?;
        let client = match parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>() {
            Some(ConnectInfo(peer)) => app::kernel::session::client_of_request(
                peer.ip(),
                &parts.headers,
                &state.server.trusted_proxies,
            )
            .to_string(),
            None => "unknown".to_owned(),
        };
        let caller = keys::authenticate(&state.server.pool, presented, &client)
            .await?
            .map_err(|refusal| {
                tracing::info!(?refusal, "API key refused");
                ApiError::Unauthorized(refusal.message().to_owned())
            })?;
        if let Some(slot) = parts.extensions.get::<super::usage::CallerSlot>() {
            slot.fill(caller.key_id);
        }
        take_token(caller.key_id)
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        Ok(ApiKey { caller, client })
    }
}
