//! Staff-account server functions (owner only).

#[cfg(feature = "ssr")]
use crate::accounts::model::Role;
use crate::accounts::staff::model::InviteForm;
use crate::kernel::error::AppError;
use leptos::prelude::*;

/// Invites a new staff member by email; returns the account id.
#[server(endpoint = "admin/staff/invite")]
pub async fn invite_staff(form: InviteForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Owner).await?;
        crate::accounts::staff::invite(&state.pool, &actor, &form, &state.site.public_url).await
    })
    .await
}

#[server(endpoint = "admin/staff/role")]
pub async fn change_staff_role(id: i64, role: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Owner).await?;
        let role = Role::parse(&role).map_err(AppError::InvalidInput)?;
        crate::accounts::staff::change_role(&state.pool, &actor, id, role).await
    })
    .await
}

#[server(endpoint = "admin/staff/active")]
pub async fn set_staff_active(id: i64, on: bool) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Owner).await?;
        crate::accounts::staff::set_active(&state.pool, &actor, id, on).await
    })
    .await
}
