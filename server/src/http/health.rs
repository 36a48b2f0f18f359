//! `/healthz` (the process answers) and `/readyz` (the database answers and carries the
//! schema this build expects).

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::time::Duration;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let pool = &state.server.pool;
    let check = tokio::time::timeout(
        Duration::from_secs(2),
        app::kernel::db::latest_applied_migration(pool),
    )
    .await;
    let expected = app::kernel::db::latest_known_migration();
    let not_ready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": reason })),
        )
            .into_response()
    };
    match check {
        Err(_) => not_ready("the database did not answer within 2 seconds".to_owned()),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database unreachable");
            not_ready("the database is unreachable".to_owned())
        }
        Ok(Ok(applied)) if applied == Some(expected) => {
            Json(json!({ "status": "ready", "schema_version": expected })).into_response()
        }
        Ok(Ok(applied)) => not_ready(format!(
            "the database schema is at {} but this build expects {expected}",
            applied.map_or_else(|| "nothing".to_owned(), |v| v.to_string())
        )),
    }
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}
