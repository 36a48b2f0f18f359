//! Category server functions (any staff role).

use crate::admin::categories::model::{CategoryForm, CategoryNode};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::accounts::model::Role, crate::admin::audit::record::Actor};

#[server(endpoint = "admin/categories")]
pub async fn category_tree() -> Result<Vec<CategoryNode>, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(Role::Staff).await?;
        let state = crate::state::server_state()?;
        crate::admin::categories::manage::tree(&state.pool).await
    })
    .await
}

#[server(endpoint = "admin/categories/save")]
pub async fn save_category(form: CategoryForm) -> Result<i64, AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Staff).await?;
        let state = crate::state::server_state()?;
        crate::admin::categories::manage::save(&state.pool, &actor, &form).await
    })
    .await
}

/// Moves a category up (`on` true) or down among its siblings.
#[server(endpoint = "admin/categories/reorder")]
pub async fn reorder_category(id: i64, on: bool) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Staff).await?;
        let state = crate::state::server_state()?;
        crate::admin::categories::manage::reorder(&state.pool, &actor, id, on).await
    })
    .await
}

#[server(endpoint = "admin/categories/delete")]
pub async fn delete_category(id: i64) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Staff).await?;
        let state = crate::state::server_state()?;
        crate::admin::categories::manage::delete(&state.pool, &actor, id).await
    })
    .await
}
