//! Shipping and tax server functions (admins and owners).

#[cfg(feature = "ssr")]
use crate::accounts::model::Role;
use crate::kernel::error::AppError;
use crate::pricing::model::{
    CategoryTaxForm, PricingSettings, ShippingMethodForm, TaxCategoryForm, TaxSettingsForm,
    ZoneForm, ZoneRatesForm,
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

#[server(endpoint = "admin/shipping-tax/zone")]
pub async fn save_shipping_zone(form: ZoneForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::save_zone(&state.pool, &actor, &form).await
    })
    .await
}

#[server(endpoint = "admin/shipping-tax/zone-rates")]
pub async fn save_zone_tax_rates(form: ZoneRatesForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::save_zone_rates(&state.pool, &actor, &form).await
    })
    .await
}

#[server(endpoint = "admin/shipping-tax/tax-category")]
pub async fn add_tax_category(form: TaxCategoryForm) -> Result<i64, AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::add_tax_category(&state.pool, &actor, &form).await
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

#[server(endpoint = "admin/shipping-tax/category-tax")]
pub async fn set_category_tax_category(form: CategoryTaxForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor = crate::accounts::auth::require_staff(Role::Admin).await?;
        crate::pricing::settings::set_category_tax(&state.pool, &actor, &form).await
    })
    .await
}
