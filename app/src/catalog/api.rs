//! Catalog server functions: thin adapters that validate input and call the read side.

use crate::catalog::model::{CategoryListing, HomeContent, ProductDetail, SearchResults};
use crate::catalog::query::{ListingRequest, SearchRequest};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<HomeContent, AppError> {
    crate::state::respond(async {
        let state = crate::state::server_state()?;
        state.catalog.home().await
    })
    .await
}

#[server(endpoint = "catalog/category")]
pub async fn get_category_listing(request: ListingRequest) -> Result<CategoryListing, AppError> {
    crate::state::respond(async {
        request.validate()?;
        let state = crate::state::server_state()?;
        state
            .catalog
            .category_listing(&request)
            .await?
            .ok_or_else(|| AppError::not_found("We could not find that category."))
    })
    .await
}

#[server(endpoint = "catalog/search")]
pub async fn search_catalog(request: SearchRequest) -> Result<SearchResults, AppError> {
    crate::state::respond(async {
        request.validate()?;
        let state = crate::state::server_state()?;
        state.catalog.search(&request).await
    })
    .await
}

#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<ProductDetail, AppError> {
    crate::state::respond(async {
        let missing = || AppError::not_found("We could not find that product.");
        if !crate::catalog::query::is_valid_slug(&slug) {
            return Err(missing());
        }
        let state = crate::state::server_state()?;
        state.catalog.product(&slug).await?.ok_or_else(missing)
    })
    .await
}
