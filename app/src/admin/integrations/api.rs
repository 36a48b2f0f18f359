//! Staff-area server functions for API keys (admins and owners). A new key is shown once:
//! it waits in the session until the admin says it is stored, so the page shows it also
//! without JavaScript.

use crate::integrations::model::{ApiKeyRow, NewApiKey};
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const NEW_KEY: &str = "new_api_key";

/// Every key (never the key itself), and the one just made if it is still to be copied.
#[server(endpoint = "admin/api-keys")]
pub async fn api_keys() -> Result<(Vec<ApiKeyRow>, Option<NewApiKey>), AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_staff(crate::accounts::model::Role::Admin).await?;
        let session = crate::kernel::session::current_session().await?;
        let new_key: Option<NewApiKey> = session
            .get(NEW_KEY)
            .await
            .map_err(crate::kernel::session::session_error)?;
        Ok((crate::integrations::keys::list(&state.pool).await?, new_key))
    })
    .await
}

/// The form that makes a key: a name, the ticked scopes, an optional expiry in days.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NewKeyForm {
    pub name: String,
    #[serde(default)]
    pub expires_days: String,
    pub scope_catalog_read: Option<String>,
    pub scope_catalog_write: Option<String>,
    pub scope_stock_write: Option<String>,
    pub scope_orders_read: Option<String>,
    pub scope_orders_write: Option<String>,
    pub scope_customers_read: Option<String>,
}

/// Makes a key with the ticked scopes.
#[server(endpoint = "admin/api-keys/create")]
pub async fn create_api_key(form: NewKeyForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        use crate::integrations::model::Scope;
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Admin).await?;
        let ticked = [
            (form.scope_catalog_read, Scope::CatalogRead),
            (form.scope_catalog_write, Scope::CatalogWrite),
            (form.scope_stock_write, Scope::StockWrite),
            (form.scope_orders_read, Scope::OrdersRead),
            (form.scope_orders_write, Scope::OrdersWrite),
            (form.scope_customers_read, Scope::CustomersRead),
        ];
        let scopes: Vec<Scope> = ticked
            .into_iter()
            .filter(|(on, _)| on.is_some())
            .map(|(_, scope)| scope)
            .collect();
        let expires = match form.expires_days.trim() {
            "" => None,
            days => Some(days.parse::<u32>().map_err(|_| {
                AppError::invalid("Expiry is a number of days (1 to 3650), or empty for never.")
            })?),
        };
        let name = form.name;
        let made =
            crate::integrations::keys::create(&state.pool, &actor, &name, &scopes, expires).await?;
        let session = crate::kernel::session::current_session().await?;
        session
            .insert(NEW_KEY, &made)
            .await
            .map_err(crate::kernel::session::session_error)?;
        leptos_axum::redirect("/admin/integrations#new-key");
        Ok(())
    })
    .await
}

/// "I have stored it": the key is not shown again.
#[server(endpoint = "admin/api-keys/stored")]
pub async fn api_key_stored() -> Result<(), AppError> {
    crate::kernel::context::serve(|_| async move {
        crate::accounts::auth::require_staff(crate::accounts::model::Role::Admin).await?;
        let session = crate::kernel::session::current_session().await?;
        session
            .remove::<NewApiKey>(NEW_KEY)
            .await
            .map_err(crate::kernel::session::session_error)?;
        leptos_axum::redirect("/admin/integrations");
        Ok(())
    })
    .await
}

#[server(endpoint = "admin/api-keys/revoke")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Admin).await?;
        crate::integrations::keys::revoke(&state.pool, &actor, &id.to_string()).await?;
        Ok(())
    })
    .await
}
