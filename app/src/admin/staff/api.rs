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

/// Ends every login of a staff member (owner only); returns how many ended.
#[server(endpoint = "admin/staff/end-logins")]
pub async fn end_staff_logins(id: i64) -> Result<u64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Owner).await?;
        crate::accounts::staff::end_logins(&state.pool, &actor, id).await
    })
    .await
}

/// Removes a staff member's two-factor login and ends their logins (owner only).
#[server(endpoint = "admin/staff/reset-two-factor")]
pub async fn reset_staff_two_factor(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Owner).await?;
        crate::accounts::staff::reset_two_factor(&state.pool, &actor, id).await
    })
    .await
}

/// Requires two-factor login of owners and admins, or stops requiring it (owner only).
/// Those without it are sent to set it up at their next login.
#[server(endpoint = "admin/settings/two-factor")]
pub async fn require_staff_two_factor(required: bool) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Owner).await?;
        crate::settings::set_staff_two_factor_required(&state.pool, &actor, required).await
    })
    .await
}

/// Whether two-factor login is required of owners and admins (owner only).
#[server(endpoint = "admin/settings/two-factor/get")]
pub async fn staff_two_factor_required() -> Result<bool, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_staff(Role::Owner).await?;
        crate::settings::staff_two_factor_required(&state.pool).await
    })
    .await
}
