//! The dashboard's server function (any staff role).

use crate::admin::dashboard::model::Dashboard;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Staff).await?;
        let state = crate::state::server_state()?;
        crate::admin::dashboard::figures::dashboard(&state.pool).await
    })
    .await
}
