//! `GET /api/v1/orders` and `GET /api/v1/orders/{number}` (scope `orders:read`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::model::Scope;
use app::integrations::orders::{self, ApiOrder, OrderPage, OrderQuery};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    /// Only orders in this status: pending_payment, paid, fulfilled, completed, cancelled or refunded.
    status: Option<String>,
    /// Only orders changed at or after this time (RFC 3339).
    updated_since: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Orders per page, 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Orders in the order they last changed, with their lines.
#[utoipa::path(
    get,
    path = "/api/v1/orders",
    tag = "orders",
    params(OrderListParams),
    security(("api_key" = ["orders:read"])),
    responses(
        (status = 200, description = "A page of orders", body = OrderPage),
        (status = 400, description = "A parameter is not valid", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn list_orders(
    key: ApiKey,
    State(state): State<AppState>,
    params: Result<Query<OrderListParams>, QueryRejection>,
) -> Result<Json<OrderPage>, ApiError> {
    key.require(Scope::OrdersRead)?;
    let Query(params) = params.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let query = OrderQuery {
        status: params.status,
        updated_since: params.updated_since,
        cursor: params.cursor,
        limit: params.limit,
    };
    Ok(Json(orders::list(&state.server.pool, &query).await?))
}

/// One order with its lines, address, payment and shipment.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{number}",
    tag = "orders",
    params(("number" = String, Path, description = "The order number, e.g. ST-10001")),
    security(("api_key" = ["orders:read"])),
    responses(
        (status = 200, description = "The order", body = ApiOrder),
        (status = 400, description = "The number holds a character no text can", body = ApiErrorBody),
        (status = 404, description = "No order has this number", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn get_order(
    key: ApiKey,
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<ApiOrder>, ApiError> {
    key.require(Scope::OrdersRead)?;
    if number.len() > 40 || number.chars().any(char::is_control) {
        return Err(ApiError::NotFound(
            "There is no order with this number.".to_owned(),
        ));
    }
    Ok(Json(orders::by_number(&state.server.pool, &number).await?))
}
