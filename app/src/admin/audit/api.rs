//! Reading the audit log (admin and owner). There is deliberately no function that
//! changes it.

use crate::audit::model::{AuditFilter, AuditPage};
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/audit")]
pub async fn browse_audit_log(filter: AuditFilter) -> Result<AuditPage, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        crate::audit::browse(&state.pool, &filter).await
    })
    .await
}
