//! `GET /api/v1/products` (scope `catalog:read`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::catalog::{self, ProductPage};
use app::integrations::model::Scope;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductListParams {
    /// Only products changed at or after this time (RFC 3339).
    updated_since: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Products per page, 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Products with their variants (SKU, options, price, stock), in the order they last
/// changed; published, draft and archived alike.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "catalog",
    params(ProductListParams),
    security(("api_key" = ["catalog:read"])),
    responses(
        (status = 200, description = "A page of products", body = ProductPage),
        (status = 400, description = "A parameter is not valid", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn list_products(
    key: ApiKey,
    State(state): State<AppState>,
    params: Result<Query<ProductListParams>, QueryRejection>,
) -> Result<Json<ProductPage>, ApiError> {
    key.require(Scope::CatalogRead)?;
    let Query(params) = params.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    Ok(Json(
        catalog::list(
            &state.server.pool,
            params.cursor.as_deref(),
            params.limit,
            params.updated_since.as_deref(),
        )
        .await?,
    ))
}
