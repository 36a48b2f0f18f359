//! What a shopper's session remembers: their cart, and the orders they placed from it.
//! Session state changes only in server functions called from actions (POST), never
//! while a page renders.

use crate::error::AppError;
use sqlx::PgPool;
use tower_sessions::Session;
use uuid::Uuid;

const CART_KEY: &str = "cart_id";
const ORDERS_KEY: &str = "placed_orders";
/// Orders a session can reopen without a lookup; older ones go through /order-status.
const REMEMBERED_ORDERS: usize = 20;

fn session_error(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Internal
}

pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(session_error)
}

/// The session's cart, if it has one that still exists.
pub async fn cart_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    session.get::<Uuid>(CART_KEY).await.map_err(session_error)
}

/// The session's cart, created on first use.
pub async fn ensure_cart(session: &Session, pool: &PgPool) -> Result<Uuid, AppError> {
    if let Some(id) = cart_id(session).await? {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM carts WHERE id = $1)")
            .bind(id)
            .fetch_one(pool)
            .await?;
        if exists {
            return Ok(id);
        }
    }
    let id = crate::cart::repo::create_cart(pool).await?;
    if let Some(account_id) = crate::accounts::auth::logged_in_account_id(session).await? {
        crate::cart::repo::attach_to_account(pool, account_id, id).await?;
    }
    session.insert(CART_KEY, id).await.map_err(session_error)?;
    Ok(id)
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

/// The client's address as the server saw the connection ("unknown" when not available,
/// as in tests that call the router directly). Behind a reverse proxy this is the proxy's
/// address until forwarded-for handling is configured.
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    match leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await {
        Ok(ConnectInfo(address)) => address.ip().to_string(),
        Err(_) => "unknown".to_owned(),
    }
}
