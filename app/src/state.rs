//! What the server hands to server functions: the database pool, the catalog read side
//! and the site's public identity.

use crate::error::AppError;
use crate::site::SiteInfo;
use std::sync::Arc;

#[derive(Clone)]
pub struct ServerState {
    pub pool: sqlx::PgPool,
    pub catalog: Arc<crate::catalog::reads::CatalogReads>,
    pub site: SiteInfo,
    /// Reverse proxies whose `X-Forwarded-For` is believed (STOA_TRUSTED_PROXIES).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
}

pub fn server_state() -> Result<ServerState, AppError> {
    leptos::prelude::use_context::<ServerState>().ok_or_else(|| {
        tracing::error!("ServerState was not provided to the Leptos context");
        AppError::Internal
    })
}

/// Runs a server function body and, when it fails, makes the HTTP response carry the
/// error's status (400 for bad input, 404 for unknown things, 500 otherwise).
pub async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        crate::error::set_response_status(error);
    }
    result
}
