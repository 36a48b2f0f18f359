//! Staff-account server functions (owner only).

use crate::admin::staff::model::InviteForm;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::accounts::model::Role, crate::admin::audit::record::Actor};

/// Invites a new staff member by email; returns the account id.
#[server(endpoint = "admin/staff/invite")]
pub async fn invite_staff(form: InviteForm) -> Result<i64, AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Owner).await?;
        let state = crate::state::server_state()?;
        crate::admin::staff::manage::invite(&state.pool, &actor, &form, &state.site.public_url)
            .await
    })
    .await
}

#[server(endpoint = "admin/staff/role")]
pub async fn change_staff_role(id: i64, role: String) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Owner).await?;
        let state = crate::state::server_state()?;
        crate::admin::staff::manage::change_role(&state.pool, &actor, id, &role).await
    })
    .await
}

#[server(endpoint = "admin/staff/active")]
pub async fn set_staff_active(id: i64, on: bool) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Owner).await?;
        let state = crate::state::server_state()?;
        crate::admin::staff::manage::set_active(&state.pool, &actor, id, on).await
    })
    .await
}
