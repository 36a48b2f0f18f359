//! Maintenance mode: while an admin has it on, shoppers get a friendly 503 page (with
//! `Retry-After`) for every page and server function; staff keep access, and the login
//! and staff pages stay open so they can get in. The setting lives in PostgreSQL and each
//! process re-reads it every few seconds, so one switch covers every server process.

use app::components::meta::escape_html_text;
use app::settings::{maintenance, Maintenance};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tower_sessions::Session;

/// How long a process trusts what it last read.
pub const REFRESH: Duration = Duration::from_secs(2);

pub struct MaintenanceGate {
    pool: PgPool,
    store_name: String,
    last: RwLock<Option<(Instant, Maintenance)>>,
}

impl MaintenanceGate {
    pub fn new(pool: PgPool, store_name: String) -> Arc<Self> {
        Arc::new(Self {
            pool,
            store_name,
            last: RwLock::new(None),
        })
    }

    fn fresh(&self) -> Option<Maintenance> {
        let guard = self.last.read().ok()?;
        let (read_at, setting) = guard.as_ref()?;
        (read_at.elapsed() < REFRESH).then(|| setting.clone())
    }

    async fn current(&self) -> Maintenance {
        if let Some(setting) = self.fresh() {
            return setting;
        }
        let setting = match maintenance(&self.pool).await {
            Ok(setting) => setting,
            // Without the database the store cannot sell anyway; do not add a second outage.
            Err(_) => Maintenance {
                on: false,
                message: String::new(),
            },
        };
        self.remember(&setting);
        setting
    }

    fn remember(&self, setting: &Maintenance) {
        if let Ok(mut guard) = self.last.write() {
            *guard = Some((Instant::now(), setting.clone()));
        }
    }
}

/// Paths that stay open: staff pages and functions, logging in and out, assets, probes.
fn always_open(path: &str) -> bool {
    const PREFIXES: &[&str] = &["/pkg/", "/admin/", "/api/admin/"];
    const EXACT: &[&str] = &[
        "/admin",
        "/account/login",
        "/api/account/login",
        "/api/account/logout",
        "/healthz",
        "/readyz",
        "/metrics",
        "/favicon.svg",
    ];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

pub async fn maintenance_gate(
    State(gate): State<Arc<MaintenanceGate>>,
    request: Request,
    next: Next,
) -> Response {
    if always_open(request.uri().path()) {
        return next.run(request).await;
    }
    let setting = gate.current().await;
    if !setting.on {
        return next.run(request).await;
    }
    let session = request.extensions().get::<Session>().cloned();
    if let Some(session) = session {
        if let Ok(Some(account)) = app::accounts::auth::current_account(&session, &gate.pool).await
        {
            if account.role.is_some() {
                return next.run(request).await;
            }
        }
    }
    maintenance_page(&gate.store_name, &setting.message)
}

fn maintenance_page(store_name: &str, message: &str) -> Response {
    let message = if message.is_empty() {
        "We are making a few improvements and will be back in a few minutes. Your cart is kept."
    } else {
        message
    };
    unavailable_page(store_name, "We will be back soon", message, "300")
}

/// The friendly 503 page shoppers get while the store cannot serve them, with
/// `Retry-After`; plain HTML with nothing to load, so it works whatever else is down.
pub fn unavailable_page(
    store_name: &str,
    heading: &str,
    message: &str,
    retry_after_secs: &'static str,
) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Back soon · {store}</title></head>\
         <body style=\"font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #1c1f1e\">\
         <main><h1>{heading}</h1><p data-testid=\"maintenance-message\">{message}</p>\
         <p>{store}</p></main></body></html>",
        store = escape_html_text(store_name),
        heading = escape_html_text(heading),
        message = escape_html_text(message),
    );
    unavailable("text/html; charset=utf-8", body, retry_after_secs)
}

/// A 503 with this body, `Retry-After` and no caching.
pub fn unavailable(
    content_type: &'static str,
    body: String,
    retry_after_secs: &'static str,
) -> Response {
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(retry_after_secs),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_login_and_probes_stay_open_and_the_storefront_does_not() {
        for open in [
            "/admin",
            "/api/admin/me",
            "/account/login",
            "/api/account/login",
            "/pkg/stoa.js",
            "/readyz",
        ] {
            assert!(always_open(open), "{open}");
        }
        for closed in [
            "/",
            "/cart",
            "/api/cart/add",
            "/checkout",
            "/account",
            "/administrator-tools",
        ] {
            assert!(!always_open(closed), "{closed}");
        }
    }
}
