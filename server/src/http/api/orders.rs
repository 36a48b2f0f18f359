//! `GET /api/v1/orders` and `GET /api/v1/orders/{number}` (scope `orders:read`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::model::Scope;
use app::integrations::orders::{self, ApiOrder, OrderPage, OrderQuery, RefundRequest};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
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
    body: Result<Json<Shipment>, JsonRejection>,
) -> Result<Json<ApiOrder>, ApiError> {
    key.require(Scope::OrdersWrite)?;
    let Json(shipment) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let number = order_number(&number)?;
    let order_id = orders::id_by_number(&state.server.pool, number).await?;
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

/// Cancels an order before shipment, as in the staff area: its units go back in stock, an
/// open card authorization is voided or a captured payment refunded in full at the
/// provider (when the provider refuses, nothing is cancelled), and the shopper is told.
/// Cancelling a cancelled order changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{number}/cancel",
    tag = "orders",
    params(("number" = String, Path, description = "The order number, e.g. ST-10001")),
    security(("api_key" = ["orders:write"])),
    responses(
        (status = 200, description = "The order, cancelled", body = ApiOrder),
        (status = 400, description = "The order cannot be cancelled in its status (it has shipped)", body = ApiErrorBody),
        (status = 404, description = "No order has this number", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn cancel_order(
    key: ApiKey,
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<ApiOrder>, ApiError> {
    key.require(Scope::OrdersWrite)?;
    let number = order_number(&number)?;
    let server = &state.server;
    Ok(Json(
        orders::cancel(
            &server.pool,
            &state.payments,
            &key.actor(),
            number,
            &server.site.public_url,
        )
        .await?,
    ))
}

/// Refunds part or all of what was paid, as in the staff area: through the provider that
/// took the payment first (manual payments are paid back by hand), never more than was
/// paid; refunding the rest makes the order `refunded`. Send an `Idempotency-Key`: a
/// retry with the same key refunds once, also when the two arrive together.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{number}/refunds",
    tag = "orders",
    params(
        ("number" = String, Path, description = "The order number, e.g. ST-10001"),
        ("Idempotency-Key" = String, Header, description = "1 to 200 visible characters, e.g. a UUID, new for each refund"),
    ),
    request_body = RefundRequest,
    security(("api_key" = ["orders:write"])),
    responses(
        (status = 200, description = "The order with the refund in `refunds`", body = ApiOrder),
        (status = 400, description = "The body or the Idempotency-Key is not valid, or the order cannot be refunded in its status", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (the amount is more than can be refunded); nothing was refunded", body = ApiErrorBody),
        (status = 404, description = "No order has this number", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn refund_order(
    key: ApiKey,
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RefundRequest>, JsonRejection>,
) -> Result<Json<ApiOrder>, ApiError> {
    let caller = key.require(Scope::OrdersWrite)?;
    let idempotency_key = app::integrations::stock::check_idempotency_key(
        headers.get("idempotency-key").and_then(|v| v.to_str().ok()),
    )?;
    let Json(request) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let number = order_number(&number)?;
    let server = &state.server;
    Ok(Json(
        orders::refund(
            &server.pool,
            &state.payments,
            (&key.actor(), caller.key_id),
            idempotency_key,
            number,
            &request,
            &server.site.public_url,
        )
        .await?,
    ))
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
