//! Promotion server functions (admins and owners).

#[cfg(feature = "ssr")]
use crate::accounts::model::Role;
use crate::kernel::error::AppError;
use crate::promotions::model::{
    CodeBatchForm, CodeForm, PromotionDetail, PromotionForm, PromotionRow,
};
use leptos::prelude::*;

#[server(endpoint = "admin/promotions")]
pub async fn promotion_list() -> Result<Vec<PromotionRow>, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(Role::Admin).await?;
        crate::promotions::manage::list(&state.pool).await
    })
    .await
}

#[server(endpoint = "admin/promotions/detail")]
pub async fn promotion_page(id: i64) -> Result<PromotionDetail, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(Role::Admin).await?;
        crate::promotions::manage::detail(&state.pool, id).await
    })
    .await
}

/// Creates a promotion and opens its page (where codes are added).
#[server(endpoint = "admin/promotions/create")]
pub async fn create_promotion(form: PromotionForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        let id = crate::promotions::manage::save(&state.pool, &actor, None, &form).await?;
        leptos_axum::redirect(&format!("/admin/promotions/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "admin/promotions/change")]
pub async fn change_promotion(id: i64, form: PromotionForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::promotions::manage::save(&state.pool, &actor, Some(id), &form).await
    })
    .await
}

/// `to`: `pause`, `resume` or `end`.
#[server(endpoint = "admin/promotions/switch")]
pub async fn switch_promotion(id: i64, to: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        let switch = crate::promotions::manage::Switch::parse(&to)?;
        crate::promotions::manage::switch(&state.pool, &actor, id, switch).await
    })
    .await
}

#[server(endpoint = "admin/promotions/code")]
pub async fn add_promotion_code(form: CodeForm) -> Result<String, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::promotions::manage::add_code(&state.pool, &actor, &form).await
    })
    .await
}

#[server(endpoint = "admin/promotions/codes")]
pub async fn generate_promotion_codes(form: CodeBatchForm) -> Result<String, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::promotions::manage::generate_codes(&state.pool, &actor, &form).await
    })
    .await
}
