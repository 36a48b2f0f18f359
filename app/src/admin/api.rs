//! Staff server functions, all under `/api/admin/`. Each one checks the caller's role
//! first, through `require_role`; a test walks every path under that prefix and expects
//! 401 without a login and 403 for a customer.

#[cfg(feature = "ssr")]
use crate::accounts::model::Role;
use crate::accounts::model::{CustomerRow, StaffRow};
use crate::admin::model::StaffMember;
use crate::kernel::error::AppError;
use crate::settings::model::MaintenanceSetting;
use crate::webhooks::model::{WebhookForm, WebhooksOverview};
use leptos::prelude::*;

/// The staff member using the staff area (any staff role).
#[server(endpoint = "admin/me")]
pub async fn get_staff_member() -> Result<StaffMember, AppError> {
    crate::kernel::context::serve(|_| async move {
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
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        if search.chars().count() > 200 {
            return Err(AppError::invalid("Search for at most 200 characters."));
        }
        crate::accounts::directory::customers(&state.pool, &search).await
    })
    .await
}

/// A customer and their orders (admin and owner).
#[server(endpoint = "admin/customers/detail")]
pub async fn get_customer(id: i64) -> Result<crate::accounts::model::CustomerDetail, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(Role::Admin).await?;
        crate::accounts::directory::customer(&state.pool, id).await
    })
    .await
}

/// Erases a customer on their behalf (admin and owner), as they could themselves.
#[server(endpoint = "admin/customers/erase")]
pub async fn erase_customer(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        let gateways = crate::payments::payment_gateways()?;
        crate::accounts::gdpr::erase(&state.pool, &gateways, id, Some(&actor)).await?;
        tracing::info!(customer = id, "customer erased by staff");
        Ok(())
    })
    .await
}

/// Staff accounts (owner only).
#[server(endpoint = "admin/staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Owner).await?;
        crate::accounts::directory::staff(&state.pool).await
    })
    .await
}

/// Whether the store is in maintenance mode (admin and owner).
#[server(endpoint = "admin/settings/maintenance")]
pub async fn get_maintenance() -> Result<MaintenanceSetting, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        let current = crate::settings::maintenance(&state.pool).await?;
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
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::settings::set_maintenance(&state.pool, &actor, on, &message).await?;
        tracing::warn!(staff = actor.id, on, "maintenance mode changed");
        Ok(())
    })
    .await
}

/// Webhook endpoints and the delivery log (admin and owner).
#[server(endpoint = "admin/webhooks")]
pub async fn get_webhooks() -> Result<WebhooksOverview, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        crate::webhooks::outbox::overview(&state.pool).await
    })
    .await
}

/// Registers a webhook endpoint (admin and owner).
#[server(endpoint = "admin/webhooks/add")]
pub async fn add_webhook(form: WebhookForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::webhooks::endpoints::add_webhook(&state.pool, &actor, &form).await?;
        Ok(())
    })
    .await
}

/// Pauses or resumes an endpoint (admin and owner).
#[server(endpoint = "admin/webhooks/active")]
pub async fn set_webhook_active(id: i64, on: bool) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::webhooks::endpoints::set_webhook_active(&state.pool, &actor, id, on).await
    })
    .await
}

/// Tries an endpoint's failed deliveries (or one of them) again now (admin and owner).
#[server(endpoint = "admin/webhooks/retry")]
pub async fn retry_webhook_deliveries(
    endpoint_id: i64,
    delivery_id: Option<i64>,
) -> Result<u64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::webhooks::endpoints::retry_failing(&state.pool, &actor, endpoint_id, delivery_id)
            .await
    })
    .await
}
