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
    let number = order_number(&number)?;
    Ok(Json(orders::by_number(&state.server.pool, number).await?))
}

/// What a shipment confirmation carries.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    /// 1 to 100 characters, e.g. "DHL".
    #[schema(min_length = 1, max_length = 100)]
    carrier: String,
    #[schema(min_length = 1, max_length = 100)]
    tracking_number: String,
}

/// Marks a paid order fulfilled with its carrier and tracking number: the same step as in
/// the staff area (the shopper gets the shipping email, the audit log names the key). A
/// repeat for an order already fulfilled changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{number}/fulfil",
    tag = "orders",
    params(("number" = String, Path, description = "The order number, e.g. ST-10001")),
    request_body = Shipment,
    security(("api_key" = ["orders:write"])),
    responses(
        (status = 200, description = "The order, fulfilled", body = ApiOrder),
        (status = 400, description = "The body is not valid, or the order cannot be fulfilled in its status", body = ApiErrorBody),
        (status = 404, description = "No order has this number", body = ApiErrorBody),
        (status = 422, description = "A field is not valid", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn fulfil_order(
    key: ApiKey,
    State(state): State<AppState>,
    Path(number): Path<String>,
    body: Result<Json<Shipment>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ApiOrder>, ApiError> {
    key.require(Scope::OrdersWrite)?;
    let Json(shipment) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let number = order_number(&number)?;
    let order_id: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE number = $1")
        .bind(number)
        .fetch_optional(&state.server.pool)
        .await?;
    let order_id = order_id
        .ok_or_else(|| ApiError::NotFound("There is no order with this number.".to_owned()))?;
    app::orders::manage::fulfil(
        &state.server.pool,
        &key.actor(),
        &app::orders::manage::model::FulfilForm {
            order_id,
            carrier: shipment.carrier,
            tracking_number: shipment.tracking_number,
        },
        &state.server.site.public_url,
    )
    .await?;
    Ok(Json(orders::by_number(&state.server.pool, number).await?))
}

/// An order number as a path gives it; one no order can have is simply not found.
fn order_number(number: &str) -> Result<&str, ApiError> {
    let number = number.trim();
    if number.is_empty() || number.len() > 40 || number.chars().any(char::is_control) {
        return Err(ApiError::NotFound(
            "There is no order with this number.".to_owned(),
        ));
    }
    Ok(number)
}
