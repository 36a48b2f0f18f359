//! The dashboard's server function (any staff role).

use crate::admin::dashboard::model::Dashboard;
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        crate::admin::dashboard::figures::dashboard(&state.pool).await
    })
    .await
}
