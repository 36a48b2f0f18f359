//! Stock server functions (any staff role).

use crate::inventory::model::{AdjustmentForm, StockOverview, VariantLedger};
use crate::kernel::error::AppError;
use leptos::prelude::*;

/// Variants matching `search`, or the low-stock list.
#[server(endpoint = "admin/stock")]
pub async fn get_stock_overview(search: String) -> Result<StockOverview, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::inventory::ledger::overview(&state.pool, &search).await
    })
    .await
}

/// A variant and its latest stock movements.
#[server(endpoint = "admin/stock/variant")]
pub async fn get_variant_ledger(id: i64) -> Result<VariantLedger, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::inventory::ledger::variant_ledger(&state.pool, id).await
    })
    .await
}

/// Adjusts a variant's stock with a reason; returns the stock after.
#[server(endpoint = "admin/stock/adjust")]
pub async fn adjust_stock(form: AdjustmentForm) -> Result<i32, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        crate::inventory::ledger::adjust(&state.pool, &actor, &form).await
    })
    .await
}

/// Sets a variant's low-stock threshold.
#[server(endpoint = "admin/stock/threshold")]
pub async fn set_low_stock_threshold(id: i64, threshold: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Staff).await?;
        crate::inventory::ledger::set_threshold(&state.pool, &actor, id, &threshold).await
    })
    .await
}
