//! `GET /api/v1/customers` and `GET /api/v1/customers/{id}` (scope `customers:read`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::customers::{self, ApiCustomer, CustomerPage};
use app::integrations::model::Scope;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
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

/// One customer account by its id (as `GET /api/v1/customers` gives it).
#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    params(("id" = i64, Path, description = "The customer's id", minimum = 1)),
    security(("api_key" = ["customers:read"])),
    responses(
        (status = 200, description = "The customer", body = ApiCustomer),
        (status = 404, description = "No customer has this id", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn get_customer(
    key: ApiKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ApiCustomer>, ApiError> {
    key.require(Scope::CustomersRead)?;
    let missing = || ApiError::NotFound("There is no customer with this id.".to_owned());
    let id: i64 = id.trim().parse().map_err(|_| missing())?;
    Ok(Json(customers::by_id(&state.server.pool, id).await?))
}
