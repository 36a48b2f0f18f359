//! What the server hands to server functions and handlers: the database pool, the site's
//! public identity and who is asking. Every server function runs its body through
//! [`serve`], which hands it the [`ServerState`] and gives a failure its HTTP status.

use crate::kernel::error::AppError;
use crate::kernel::site::SiteInfo;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use http::request::Parts;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

#[derive(Clone)]
pub struct ServerState {
    pub pool: sqlx::PgPool,
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

/// Runs a server function's body with the server's state and, when it fails, makes the
/// HTTP response carry the error's status (400 for bad input, 404 for unknown things,
/// 500 otherwise). The one prologue of every server function.
pub async fn serve<T, Body, Fut>(body: Body) -> Result<T, AppError>
where
    Body: FnOnce(ServerState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = match server_state() {
        Ok(state) => body(state).await,
        Err(error) => Err(error),
    };
    if let Err(error) = &result {
        crate::kernel::error::set_response_status(error);
    }
    result
}

/// Who is asking: the request's session and the client's address (behind trusted
/// proxies, the one they forwarded). An axum extractor, so plain routes take it as an
/// argument; server functions get it with [`Caller::of_server_fn`]. The same value feeds
/// `accounts::auth::staff_actor`, the one way to learn the acting staff member.
#[derive(Clone)]
pub struct Caller {
    pub session: Session,
    pub client_address: String,
}

impl Caller {
    /// The caller of the server function being run.
    pub async fn of_server_fn(state: &ServerState) -> Result<Caller, AppError> {
        leptos_axum::extract_with_state::<Caller, ServerState>(state)
            .await
            .map_err(crate::kernel::session::session_error)
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    ServerState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| crate::kernel::session::session_error(message))?;
        let server = ServerState::from_ref(state);
        let client_address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                crate::kernel::session::client_of_request(
                    peer.ip(),
                    &parts.headers,
                    &server.trusted_proxies,
                )
                .to_string()
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(Caller {
            session,
            client_address,
        })
    }
}
