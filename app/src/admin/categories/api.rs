//! Category server functions (any staff role).

#[cfg(feature = "ssr")]
use crate::accounts::model::Role;
use crate::catalog::categories::model::{CategoryForm, CategoryNode};
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/categories")]
pub async fn category_tree() -> Result<Vec<CategoryNode>, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(Role::Staff).await?;
        crate::catalog::categories::tree(&state.pool).await
    })
    .await
}

#[server(endpoint = "admin/categories/save")]
pub async fn save_category(form: CategoryForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Staff).await?;
        crate::catalog::categories::save(&state.pool, &actor, &form).await
    })
    .await
}

/// Moves a category up (`on` true) or down among its siblings.
#[server(endpoint = "admin/categories/reorder")]
pub async fn reorder_category(id: i64, on: bool) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Staff).await?;
        crate::catalog::categories::reorder(&state.pool, &actor, id, on).await
    })
    .await
}

#[server(endpoint = "admin/categories/delete")]
pub async fn delete_category(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Staff).await?;
        crate::catalog::categories::delete(&state.pool, &actor, id).await
    })
    .await
}
