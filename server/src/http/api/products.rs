//! Products: read (scope `catalog:read`), created or updated by slug and SKU, published
//! and unpublished (scope `catalog:write`).

use super::auth::ApiKey;
use super::error::{ApiError, ApiErrorBody, KeyRefusals};
use crate::state::AppState;
use app::integrations::catalog::{self, ApiProduct, ProductPage, ProductUpsert};
use app::integrations::model::Scope;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
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

/// A product's slug as a path gives it; one no product can have is simply not found.
fn product_slug(slug: &str) -> Result<&str, ApiError> {
    app::kernel::slug::Slug::parse(slug)
        .map(|_| slug)
        .map_err(|_| ApiError::NotFound("There is no product with this slug.".to_owned()))
}

/// One product with its variants.
#[utoipa::path(
    get,
    path = "/api/v1/products/{slug}",
    tag = "catalog",
    params(("slug" = String, Path, description = "The product's slug, e.g. linen-shirt")),
    security(("api_key" = ["catalog:read"])),
    responses(
        (status = 200, description = "The product", body = ApiProduct),
        (status = 404, description = "No product has this slug", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn get_product(
    key: ApiKey,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ApiProduct>, ApiError> {
    key.require(Scope::CatalogRead)?;
    let slug = product_slug(&slug)?;
    Ok(Json(catalog::by_slug(&state.server.pool, slug).await?))
}

/// Creates the product with this slug or updates it, and its variants by SKU (variants
/// the body leaves out stay as they are), with the same checks as the CSV import: all or
/// nothing, audited under the key's name, `product.updated` sent. Sending the same body
/// again changes nothing more.
#[utoipa::path(
    put,
    path = "/api/v1/products/{slug}",
    tag = "catalog",
    params(("slug" = String, Path, description = "The product's slug: lowercase words joined by hyphens")),
    request_body = ProductUpsert,
    security(("api_key" = ["catalog:write"])),
    responses(
        (status = 200, description = "The product, updated", body = ApiProduct),
        (status = 201, description = "The product, created", body = ApiProduct),
        (status = 400, description = "The body is not valid JSON of this shape", body = ApiErrorBody),
        (status = 422, description = "A field is not valid (unknown category, a SKU of another product, other option names); nothing was written", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn put_product(
    key: ApiKey,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    body: Result<Json<ProductUpsert>, JsonRejection>,
) -> Result<(StatusCode, Json<ApiProduct>), ApiError> {
    key.require(Scope::CatalogWrite)?;
    let Json(product) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let upserted = catalog::upsert(&state.server.pool, &key.actor(), &slug, &product).await?;
    let status = if upserted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(upserted.product)))
}

/// Puts a product on the storefront (audited, `product.updated` sent); publishing a
/// published product changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/products/{slug}/publish",
    tag = "catalog",
    params(("slug" = String, Path, description = "The product's slug")),
    security(("api_key" = ["catalog:write"])),
    responses(
        (status = 200, description = "The product, published", body = ApiProduct),
        (status = 400, description = "The product is archived: restore it in the staff area first", body = ApiErrorBody),
        (status = 404, description = "No product has this slug", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn publish_product(
    key: ApiKey,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ApiProduct>, ApiError> {
    change_published(key, state, slug, true).await
}

/// Takes a product off the storefront (it stays in orders and the staff area).
#[utoipa::path(
    post,
    path = "/api/v1/products/{slug}/unpublish",
    tag = "catalog",
    params(("slug" = String, Path, description = "The product's slug")),
    security(("api_key" = ["catalog:write"])),
    responses(
        (status = 200, description = "The product, unpublished", body = ApiProduct),
        (status = 404, description = "No product has this slug", body = ApiErrorBody),
        KeyRefusals,
    )
)]
pub async fn unpublish_product(
    key: ApiKey,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ApiProduct>, ApiError> {
    change_published(key, state, slug, false).await
}

async fn change_published(
    key: ApiKey,
    state: AppState,
    slug: String,
    published: bool,
) -> Result<Json<ApiProduct>, ApiError> {
    key.require(Scope::CatalogWrite)?;
    let slug = product_slug(&slug)?;
    Ok(Json(
        catalog::set_published(&state.server.pool, &key.actor(), slug, published).await?,
    ))
}
