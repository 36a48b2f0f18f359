//! `POST /api/v1/stock` (scope `stock:write`): set or adjust many variants by SKU.

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::model::Scope;
use app::integrations::stock::{self, StockBatch, StockResult};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

/// Sets or adjusts the stock of up to 1,000 variants by SKU, all or nothing, each change
/// with its reason in the stock ledger. Send an `Idempotency-Key` header: a retry with the
/// same key and body answers the same and changes nothing again.
#[utoipa::path(
    post,
    path = "/api/v1/stock",
    tag = "stock",
    request_body = StockBatch,
    params(("Idempotency-Key" = String, Header, description = "1 to 200 visible characters, e.g. a UUID, new for each batch")),
    security(("api_key" = ["stock:write"])),
    responses(
        (status = 200, description = "The stock before and after, per SKU", body = StockResult),
        (status = 400, description = "The body or the Idempotency-Key is not valid", body = ApiErrorBody),
        (status = 422, description = "A change is not possible (unknown SKU, stock below 0); nothing was changed", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn change_stock(
    key: ApiKey,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<StockBatch>, JsonRejection>,
) -> Result<Json<StockResult>, ApiError> {
    let caller = key.require(Scope::StockWrite)?;
    let idempotency_key =
        stock::check_idempotency_key(headers.get("idempotency-key").and_then(|v| v.to_str().ok()))?;
    let Json(batch) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    Ok(Json(
        stock::apply(
            &state.server.pool,
            &key.actor(),
            caller.key_id,
            idempotency_key,
            &batch,
        )
        .await?,
    ))
}
