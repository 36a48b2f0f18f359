//! Who is making a change through a plain axum handler (uploads, CSV import): the
//! counterpart of `Actor::require`, which only works inside server functions.

use crate::router::AppState;
use app::accounts::auth::{check_role, current_account};
use app::accounts::model::Role;
use app::admin::audit::record::Actor;
use app::error::AppError;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use std::net::SocketAddr;
use tower_sessions::Session;

/// The logged-in staff member whose role includes `required` (401 or 403 otherwise),
/// with the client address the audit log records (behind trusted proxies, the one in
/// `X-Forwarded-For`, as for server functions).
pub async fn require_staff(
    state: &AppState,
    session: &Session,
    peer: Option<ConnectInfo<SocketAddr>>,
    headers: &HeaderMap,
    required: Role,
) -> Result<Actor, AppError> {
    let account = check_role(
        current_account(session, &state.server.pool).await?,
        required,
    )?;
    let client_address = peer
        .map(|ConnectInfo(peer)| {
            app::session::client_of_request(peer.ip(), headers, &state.server.trusted_proxies)
                .to_string()
        })
        .unwrap_or_else(|| "unknown".to_owned());
    Ok(Actor {
        id: account.id,
        email: account.email,
        client_address,
    })
}
