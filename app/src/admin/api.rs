//! Staff server functions, all under `/api/admin/`. Each one checks the caller's role
//! first, through `require_role`; a test walks every path under that prefix and expects
//! 401 without a login and 403 for a customer.

use crate::admin::model::{
    CustomerRow, MaintenanceSetting, StaffMember, StaffRow, WebhookForm, WebhooksOverview,
};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::accounts::model::Role, crate::admin::audit::record::Actor};

/// The staff member using the staff area (any staff role).
#[server(endpoint = "admin/me")]
pub async fn get_staff_member() -> Result<StaffMember, AppError> {
    crate::state::respond(async {
        let account =
            crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        Ok(StaffMember {
            email: account.email,
            name: account.name,
            role: account.role.ok_or(AppError::Internal)?,
        })
    })
    .await
}

/// Customers matching a search (admin and owner).
#[server(endpoint = "admin/customers")]
pub async fn list_customers(search: String) -> Result<Vec<CustomerRow>, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        if search.chars().count() > 200 {
            return Err(AppError::invalid("Search for at most 200 characters."));
        }
        let state = crate::state::server_state()?;
        crate::admin::repo::customers(&state.pool, &search).await
    })
    .await
}

/// A customer and their orders (admin and owner).
#[server(endpoint = "admin/customers/detail")]
pub async fn get_customer(id: i64) -> Result<crate::admin::model::CustomerDetail, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::admin::repo::customer(&state.pool, id).await
    })
    .await
}

/// Erases a customer on their behalf (admin and owner), as they could themselves.
#[server(endpoint = "admin/customers/erase")]
pub async fn erase_customer(id: i64) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::accounts::gdpr::erase(&state.pool, id, Some(&actor)).await?;
        tracing::info!(customer = id, "customer erased by staff");
        Ok(())
    })
    .await
}

/// Staff accounts (owner only).
#[server(endpoint = "admin/staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Owner).await?;
        let state = crate::state::server_state()?;
        crate::admin::repo::staff(&state.pool).await
    })
    .await
}

/// Whether the store is in maintenance mode (admin and owner).
#[server(endpoint = "admin/settings/maintenance")]
pub async fn get_maintenance() -> Result<MaintenanceSetting, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        let state = crate::state::server_state()?;
        let current = crate::admin::settings::maintenance(&state.pool).await?;
        Ok(MaintenanceSetting {
            on: current.on,
            message: current.message,
        })
    })
    .await
}

/// Turns maintenance mode on or off (admin and owner). Shoppers see the maintenance page
/// within a few seconds on every server process; staff keep access.
#[server(endpoint = "admin/settings/maintenance/set")]
pub async fn set_maintenance(on: bool, message: String) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::admin::settings::set_maintenance(&state.pool, &actor, on, &message).await?;
        tracing::warn!(staff = actor.id, on, "maintenance mode changed");
        Ok(())
    })
    .await
}

/// Webhook endpoints and the delivery log (admin and owner).
#[server(endpoint = "admin/webhooks")]
pub async fn get_webhooks() -> Result<WebhooksOverview, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::webhooks::outbox::overview(&state.pool).await
    })
    .await
}

/// Registers a webhook endpoint (admin and owner).
#[server(endpoint = "admin/webhooks/add")]
pub async fn add_webhook(form: WebhookForm) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::admin::settings::add_webhook(&state.pool, &actor, &form).await?;
        Ok(())
    })
    .await
}

/// Pauses or resumes an endpoint (admin and owner).
#[server(endpoint = "admin/webhooks/active")]
pub async fn set_webhook_active(id: i64, on: bool) -> Result<(), AppError> {
    crate::state::respond(async {
        let actor = Actor::require(Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::admin::settings::set_webhook_active(&state.pool, &actor, id, on).await
    })
    .await
}
