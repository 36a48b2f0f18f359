//! Staff order server functions (any staff role).

use crate::kernel::error::AppError;
use crate::orders::manage::model::{FulfilForm, OrderFilter, OrderList, RefundForm, StaffOrder};
use leptos::prelude::*;

#[server(endpoint = "admin/orders")]
pub async fn list_orders(filter: OrderFilter) -> Result<OrderList, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::orders::manage::list(&state.pool, &filter).await
    })
    .await
}

#[server(endpoint = "admin/orders/detail")]
pub async fn get_staff_order(number: String) -> Result<StaffOrder, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::orders::manage::detail(&state.pool, &number).await
    })
    .await
}

/// Marks a bank-transfer or cash order paid.
#[server(endpoint = "admin/orders/mark-paid")]
pub async fn mark_order_paid(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        crate::orders::manage::mark_paid(&state.pool, &actor, id).await
    })
    .await
}

/// Cancels an order before shipment, putting its units back in stock.
#[server(endpoint = "admin/orders/cancel")]
pub async fn cancel_order(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        let gateways = crate::payments::payment_gateways()?;
        crate::orders::manage::cancel(&state.pool, &gateways, &actor, id, &state.site.public_url)
            .await
    })
    .await
}

/// Marks a paid order shipped with its carrier and tracking number.
#[server(endpoint = "admin/orders/fulfil")]
pub async fn fulfil_order(form: FulfilForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        crate::orders::manage::fulfil(&state.pool, &actor, &form, &state.site.public_url).await
    })
    .await
}

/// Refunds part or all of an order with a reason.
#[server(endpoint = "admin/orders/refund")]
pub async fn refund_order(form: RefundForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        let gateways = crate::payments::payment_gateways()?;
        crate::orders::manage::refund(
            &state.pool,
            &gateways,
            &actor,
            &form,
            &state.site.public_url,
        )
        .await
    })
    .await
}

/// Captures a card payment again after its capture failed when the order was placed.
#[server(endpoint = "admin/orders/retry-capture")]
pub async fn retry_order_capture(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        let gateways = crate::payments::payment_gateways()?;
        crate::orders::manage::retry_capture(&state.pool, &gateways, &actor, id).await
    })
    .await
}
