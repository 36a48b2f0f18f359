//! What a shopper's session remembers: their cart, and the orders they placed from it.
//! Session state changes only in server functions called from actions (POST), never
//! while a page renders.

use crate::kernel::error::AppError;
use tower_sessions::Session;
use uuid::Uuid;

const CART_KEY: &str = "cart_id";
const ACCOUNT_KEY: &str = "account";
const ORDERS_KEY: &str = "placed_orders";
const PENDING_LOGIN_KEY: &str = "pending_login";
const NEW_RECOVERY_CODES_KEY: &str = "new_recovery_codes";
const DELIVERY_COUNTRY_KEY: &str = "delivery_country";
/// Orders a session can reopen without a lookup; older ones go through /order-status.
const REMEMBERED_ORDERS: usize = 20;

/// A session store failure: logged, answered as an internal error.
pub fn session_error(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Internal
}

pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(session_error)
}

/// Gives the session a new id, keeping its data (after a login or a password change, so
/// an id someone planted or saw before is worthless).
pub async fn renew_id(session: &Session) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)
}

/// The session's cart, if it has one that still exists.
pub async fn cart_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    session.get::<Uuid>(CART_KEY).await.map_err(session_error)
}

/// What the session stores of a login: the account and the password epoch it logged in
/// at (a password change moves the epoch on and so ends other sessions).
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct SessionLogin {
    pub account_id: i64,
    pub epoch: i32,
    /// The login's row in `account_logins`; ending it there ends this session. Sessions
    /// from before logins were recorded have none and count as logged out.
    #[serde(default)]
    pub login_id: Option<Uuid>,
}

/// What a login still needs after the password was right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SecondStep {
    /// A code from the authenticator app (or a recovery code).
    Code,
    /// Setting two-factor login up, which the store requires for this account.
    Enrol,
}

/// A login waiting for its second step (for a few minutes only).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingLogin {
    pub account_id: i64,
    pub epoch: i32,
    pub step: SecondStep,
    /// Where to go once logged in.
    pub next: String,
    /// Unix seconds when the password was accepted.
    pub started_at: i64,
}

/// How long the second step may take after the password.
pub const PENDING_LOGIN_SECONDS: i64 = 10 * 60;

pub async fn pending_login(session: &Session) -> Result<Option<PendingLogin>, AppError> {
    let pending: Option<PendingLogin> = session
        .get(PENDING_LOGIN_KEY)
        .await
        .map_err(session_error)?;
    let now = chrono::Utc::now().timestamp();
    Ok(pending.filter(|p| now - p.started_at <= PENDING_LOGIN_SECONDS))
}

pub async fn set_pending_login(
    session: &Session,
    pending: Option<&PendingLogin>,
) -> Result<(), AppError> {
    match pending {
        Some(pending) => session
            .insert(PENDING_LOGIN_KEY, pending)
            .await
            .map_err(session_error),
        None => session
            .remove::<PendingLogin>(PENDING_LOGIN_KEY)
            .await
            .map(|_| ())
            .map_err(session_error),
    }
}

/// Recovery codes just issued, kept for the security page until the person confirms
/// they have saved them, and where to go then.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NewRecoveryCodes {
    pub codes: Vec<String>,
    pub then: String,
}

pub async fn new_recovery_codes(session: &Session) -> Result<Option<NewRecoveryCodes>, AppError> {
    session
        .get(NEW_RECOVERY_CODES_KEY)
        .await
        .map_err(session_error)
}

pub async fn set_new_recovery_codes(
    session: &Session,
    codes: Option<&NewRecoveryCodes>,
) -> Result<(), AppError> {
    match codes {
        Some(codes) => session
            .insert(NEW_RECOVERY_CODES_KEY, codes)
            .await
            .map_err(session_error),
        None => session
            .remove::<NewRecoveryCodes>(NEW_RECOVERY_CODES_KEY)
            .await
            .map(|_| ())
            .map_err(session_error),
    }
}

/// The login this session remembers, if any (whether it is still valid is for
/// `accounts::auth` to say).
pub async fn login(session: &Session) -> Result<Option<SessionLogin>, AppError> {
    session
        .get::<SessionLogin>(ACCOUNT_KEY)
        .await
        .map_err(session_error)
}

pub async fn remember_login(session: &Session, login: SessionLogin) -> Result<(), AppError> {
    session
        .insert(ACCOUNT_KEY, login)
        .await
        .map_err(session_error)
}

/// The logged-in account's id, for code that links things to it (a new cart).
pub async fn logged_in_account_id(session: &Session) -> Result<Option<i64>, AppError> {
    Ok(login(session).await?.map(|login| login.account_id))
}

/// Points the session at a cart (the account's, at login), or at none.
pub async fn set_cart(session: &Session, cart: Option<Uuid>) -> Result<(), AppError> {
    match cart {
        Some(id) => session.insert(CART_KEY, id).await.map_err(session_error),
        None => session
            .remove::<Uuid>(CART_KEY)
            .await
            .map(|_| ())
            .map_err(session_error),
    }
}

/// The country the shopper last chose at checkout (its shipping options follow it).
pub async fn delivery_country(session: &Session) -> Result<Option<String>, AppError> {
    session
        .get(DELIVERY_COUNTRY_KEY)
        .await
        .map_err(session_error)
}

pub async fn set_delivery_country(session: &Session, country: &str) -> Result<(), AppError> {
    session
        .insert(DELIVERY_COUNTRY_KEY, country)
        .await
        .map_err(session_error)
}

pub async fn remember_order(session: &Session, number: &str) -> Result<(), AppError> {
    let mut numbers: Vec<String> = session
        .get(ORDERS_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or_default();
    if !numbers.iter().any(|n| n == number) {
        numbers.push(number.to_owned());
    }
    let keep_from = numbers.len().saturating_sub(REMEMBERED_ORDERS);
    session
        .insert(ORDERS_KEY, &numbers[keep_from..])
        .await
        .map_err(session_error)
}

pub async fn placed_order(session: &Session, number: &str) -> Result<bool, AppError> {
    let numbers: Vec<String> = session
        .get(ORDERS_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or_default();
    Ok(numbers.iter().any(|n| n == number))
}

/// The client's address: the connection's peer, or, when that peer is a trusted reverse
/// proxy, the nearest address in `X-Forwarded-For` that is not a trusted proxy itself.
/// "unknown" when not available (tests that call the router directly).
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    let Ok(ConnectInfo(peer)) = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await
    else {
        return "unknown".to_owned();
    };
    let trusted = crate::kernel::context::server_state()
        .map(|state| state.trusted_proxies)
        .unwrap_or_default();
    let headers = leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| parts.headers)
        .unwrap_or_default();
    client_of_request(peer.ip(), &headers, &trusted).to_string()
}

/// The client of a request that came from `peer` with these headers (see
/// [`client_behind_proxies`]); for handlers outside server functions too.
pub fn client_of_request(
    peer: std::net::IpAddr,
    headers: &http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .reduce(|a, b| format!("{a},{b}"));
    client_behind_proxies(peer, forwarded.as_deref(), trusted)
}

/// Walks `X-Forwarded-For` from the right (the hop nearest to us) while the hop is a
/// trusted proxy; the first address that is not is the client. Addresses a client wrote
/// itself (left of the first untrusted hop) are never believed.
pub fn client_behind_proxies(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(address) => {
                client = address;
                if !trusted.contains(&address) {
                    break;
                }
            }
            // A malformed hop: stop at the last address we could trust.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::client_behind_proxies;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.5");
        let trusted = [proxy, ip("10.0.0.6")];
        assert_eq!(
            client_behind_proxies(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9"),
            "a direct client cannot claim another address"
        );
        assert_eq!(
            client_behind_proxies(proxy, Some("198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_behind_proxies(proxy, Some("6.6.6.6, 198.51.100.7, 10.0.0.6"), &trusted),
            ip("198.51.100.7"),
            "the spoofed left part is ignored; trusted hops are skipped"
        );
        assert_eq!(client_behind_proxies(proxy, None, &trusted), proxy);
        assert_eq!(
            client_behind_proxies(proxy, Some("not-an-ip"), &trusted),
            proxy
        );
    }
}
