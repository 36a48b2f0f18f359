//! Shipping and tax server functions (admins and owners).

#[cfg(feature = "ssr")]
use crate::accounts::model::Role;
use crate::kernel::error::AppError;
use crate::pricing::model::{
    CategoryRateForm, PricingSettings, ShippingMethodForm, TaxSettingsForm,
};
use leptos::prelude::*;

#[server(endpoint = "admin/shipping-tax")]
pub async fn shipping_and_tax() -> Result<PricingSettings, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(Role::Admin).await?;
        crate::pricing::settings::overview(&state.pool).await
    })
    .await
}

#[server(endpoint = "admin/shipping-tax/tax")]
pub async fn save_tax_settings(form: TaxSettingsForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::save_tax(&state.pool, &actor, &form).await
    })
    .await
}

#[server(endpoint = "admin/shipping-tax/method")]
pub async fn save_shipping_method(form: ShippingMethodForm) -> Result<String, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::save_method(&state.pool, &actor, &form).await
    })
    .await
}

#[server(endpoint = "admin/shipping-tax/category-rate")]
pub async fn set_category_tax_rate(form: CategoryRateForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::set_category_rate(&state.pool, &actor, &form).await
    })
    .await
}
