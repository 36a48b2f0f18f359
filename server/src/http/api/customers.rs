//! `GET /api/v1/customers` (scope `customers:read`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::customers::{self, CustomerPage};
use app::integrations::model::Scope;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerListParams {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Customers per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// Customer accounts (not staff) in the order they last changed, with their order count.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    params(CustomerListParams),
    security(("api_key" = ["customers:read"])),
    responses(
        (status = 200, description = "A page of customers", body = CustomerPage),
        (status = 400, description = "A parameter is not valid", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn list_customers(
    key: ApiKey,
    State(state): State<AppState>,
    params: Result<Query<CustomerListParams>, QueryRejection>,
) -> Result<Json<CustomerPage>, ApiError> {
    key.require(Scope::CustomersRead)?;
    let Query(params) = params.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    Ok(Json(
        customers::list(&state.server.pool, params.cursor.as_deref(), params.limit).await?,
    ))
}
