//! Staff catalog server functions (any staff role).

use crate::catalog::manage::model::{EditorData, ProductFilter, ProductForm, ProductList};
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/products")]
pub async fn list_products(filter: ProductFilter) -> Result<ProductList, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::catalog::manage::editor::list(&state.pool, &filter).await
    })
    .await
}

/// The editor's data: the product (`id` absent for a new one) and the categories.
#[server(endpoint = "admin/products/editor")]
pub async fn product_editor(id: Option<i64>) -> Result<EditorData, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::catalog::manage::editor::editor_data(&state.pool, id).await
    })
    .await
}

/// Creates or updates a product; returns its id.
#[server(endpoint = "admin/products/save")]
pub async fn save_product(form: ProductForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        crate::catalog::manage::editor::save(&state.pool, &actor, &form).await
    })
    .await
}

/// Publishes, unpublishes, archives or restores a product.
#[server(endpoint = "admin/products/visibility")]
pub async fn set_product_visibility(id: i64, visibility: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        let change = crate::catalog::manage::editor::Visibility::parse(&visibility)
            .ok_or_else(|| AppError::invalid("Choose publish, unpublish, archive or restore."))?;
        crate::catalog::manage::editor::set_visibility(&state.pool, &actor, id, change).await
    })
    .await
}

/// Removes an image from a product's gallery.
#[server(endpoint = "admin/products/images/remove")]
pub async fn remove_product_image(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        crate::catalog::manage::editor::remove_image(&state.pool, &actor, id).await
    })
    .await
}

/// The report of a CSV import.
#[server(endpoint = "admin/catalog/import-report")]
pub async fn get_import_report(
    id: i64,
) -> Result<crate::catalog::manage::model::ImportReport, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::catalog::manage::import::report(&state.pool, id).await
    })
    .await
}
