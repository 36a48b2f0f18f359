//! Catalog server functions: thin adapters that validate input and call the read side.

use crate::catalog::model::{CategoryListing, HomeContent, ProductDetail, SearchResults};
use crate::catalog::query::{ListingRequest, SearchRequest};
use crate::kernel::error::AppError;
use crate::kernel::site::Navigation;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::catalog::reads::catalog_reads, crate::kernel::context::serve};

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<HomeContent, AppError> {
    serve(|_| async { catalog_reads()?.home().await }).await
}

#[server(endpoint = "catalog/category")]
pub async fn get_category_listing(request: ListingRequest) -> Result<CategoryListing, AppError> {
    serve(|_| async move {
        request.validate()?;
        catalog_reads()?
            .category_listing(&request)
            .await?
            .ok_or_else(|| AppError::not_found("We could not find that category."))
    })
    .await
}

#[server(endpoint = "catalog/search")]
pub async fn search_catalog(request: SearchRequest) -> Result<SearchResults, AppError> {
    serve(|_| async move {
        request.validate()?;
        catalog_reads()?.search(&request).await
    })
    .await
}

#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<ProductDetail, AppError> {
    serve(|_| async move {
        let missing = || AppError::not_found("We could not find that product.");
        let slug = crate::kernel::slug::Slug::parse(&slug).map_err(|_| missing())?;
        catalog_reads()?
            .product(slug.as_str())
            .await?
            .ok_or_else(missing)
    })
    .await
}

/// The store's name and address and its departments, for the header of every page.
#[server(endpoint = "site/navigation")]
pub async fn get_navigation() -> Result<Navigation, AppError> {
    serve(|state| async move {
        let tree = catalog_reads()?.category_tree().await?;
        Ok(Navigation {
            site: state.site,
            departments: tree
                .roots()
                .into_iter()
                .map(|category| crate::kernel::site::Department {
                    slug: category.slug,
                    name: category.name,
                })
                .collect(),
        })
    })
    .await
}
