//! Reading the audit log (admin and owner). There is deliberately no function that
//! changes it.

use crate::admin::audit::model::{AuditFilter, AuditPage};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/audit")]
pub async fn browse_audit_log(filter: AuditFilter) -> Result<AuditPage, AppError> {
    crate::state::respond(async {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        let state = crate::state::server_state()?;
        crate::admin::audit::record::browse(&state.pool, &filter).await
    })
    .await
}
