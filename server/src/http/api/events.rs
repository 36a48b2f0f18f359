//! `GET /api/v1/events?after=SEQ` (scope `orders:read`; product and stock events too when
//! the key also has `catalog:read`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::events::{self, EventPage};
use app::integrations::model::Scope;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// The last `seq` already processed (0 to start from the beginning).
    #[param(minimum = 0)]
    after: Option<i64>,
    /// Events per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Every event since `after`, in order, once: what the webhooks deliver, for a system
/// that was down (or prefers to pull). Remember `last_seq` and ask again with it.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(EventParams),
    security(("api_key" = ["orders:read"])),
    responses(
        (status = 200, description = "Events after `after`", body = EventPage),
        (status = 400, description = "A parameter is not valid", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn list_events(
    key: ApiKey,
    State(state): State<AppState>,
    params: Result<Query<EventParams>, QueryRejection>,
) -> Result<Json<EventPage>, ApiError> {
    key.require(Scope::OrdersRead)?;
    let Query(params) = params.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    Ok(Json(
        events::after(
            &state.server.pool,
            &key.caller.scopes,
            params.after.unwrap_or(0),
            params.limit,
        )
        .await?,
    ))
}
