//! Shoppers' and staff members' sessions: a cookie naming a row of the `sessions` table.

use tower_sessions::cookie::{time, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// How long a shopper's session (and so their cart) lasts without a visit.
pub const SESSION_IDLE_DAYS: i64 = 30;

/// Outside development the cookie carries the `__Host-` prefix: browsers then accept it
/// only with Secure, Path=/ and no Domain, so no other host or path can set or shadow it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-stoa_session"
    } else {
        "stoa_session"
    }
}

/// Sessions kept in PostgreSQL (table `sessions`), so carts survive restarts and are shared
/// by several server processes.
pub fn session_store(pool: sqlx::PgPool) -> PostgresStore {
    PostgresStore::new(pool)
        .with_schema_name("public")
        .and_then(|store| store.with_table_name("sessions"))
        .unwrap_or_else(|_| unreachable!("constant identifiers are valid"))
}

/// The session layer: HttpOnly, SameSite=Lax, Secure outside development, 30 days idle.
pub fn session_layer(pool: sqlx::PgPool, secure: bool) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(session_store(pool))
        .with_name(session_cookie_name(secure))
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(
            SESSION_IDLE_DAYS,
        )))
}
