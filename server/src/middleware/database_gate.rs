//! While PostgreSQL cannot be reached, the store says so at once instead of making every
//! shopper wait for a connection that will not come: pages get a friendly 503 with
//! `Retry-After`, server functions a 503 with the app's error (so a checkout refuses
//! before any payment is asked for), and `/readyz` reports unready. A watcher asks the
//! database every half second over a connection of its own (a pool busy with a rush of
//! checkouts must never look like a database that is down); the gate opens again by
//! itself once the database answers.

use crate::middleware::maintenance::{unavailable, unavailable_page};
use app::kernel::error::AppError;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, PgPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often the watcher asks, and how long it waits for an answer.
const INTERVAL: Duration = Duration::from_millis(500);
const PATIENCE: Duration = Duration::from_secs(1);
/// What `Retry-After` tells browsers and crawlers while the database is away.
const RETRY_AFTER_SECS: &str = "30";

pub struct DatabaseWatch {
    reachable: AtomicBool,
    store_name: String,
}

impl DatabaseWatch {
    /// Starts watching `pool` (on the current Tokio runtime) for as long as the returned
    /// handle lives.
    pub fn start(pool: PgPool, store_name: String) -> Arc<Self> {
        let watch = Arc::new(Self {
            reachable: AtomicBool::new(true),
            store_name,
        });
        tokio::spawn(keep_watching(pool, Arc::downgrade(&watch)));
        watch
    }

    pub fn is_reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }
}

/// Whether the database answers on the watcher's connection, reconnecting when needed.
async fn answers(options: &PgConnectOptions, connection: &mut Option<PgConnection>) -> bool {
    if let Some(open) = connection.as_mut() {
        if matches!(
            tokio::time::timeout(PATIENCE, open.ping()).await,
            Ok(Ok(()))
        ) {
            return true;
        }
    }
    *connection = None;
    match tokio::time::timeout(PATIENCE, PgConnection::connect_with(options)).await {
        Ok(Ok(fresh)) => {
            *connection = Some(fresh);
            true
        }
        _ => false,
    }
}

async fn keep_watching(pool: PgPool, watch: Weak<DatabaseWatch>) {
    let options = pool.connect_options();
    drop(pool);
    let mut connection = None;
    loop {
        let reachable = answers(&options, &mut connection).await;
        let Some(watch) = watch.upgrade() else {
            return;
        };
        let was = watch.reachable.swap(reachable, Ordering::Relaxed);
        if was != reachable {
            if reachable {
                tracing::warn!("the database answers again: the store is open");
            } else {
                tracing::error!(
                    "the database does not answer: the store answers 503 until it does"
                );
            }
        }
        metrics::gauge!("stoa_database_reachable").set(if reachable { 1.0 } else { 0.0 });
        drop(watch);
        tokio::time::sleep(INTERVAL).await;
    }
}

/// What needs no database: probes (which report on it), metrics and files from disk.
fn needs_no_database(path: &str) -> bool {
    const PREFIXES: &[&str] = &["/pkg/", "/media/"];
    const EXACT: &[&str] = &[
        "/healthz",
        "/readyz",
        "/metrics",
        "/favicon.svg",
        "/robots.txt",
        "/stripe-checkout.js",
    ];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

/// A browser's own request for a page (a navigation or a plain form post), as opposed to
/// a script calling a server function.
fn wants_a_page(request: &Request) -> bool {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return true;
    }
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

pub async fn database_gate(
    State(watch): State<Arc<DatabaseWatch>>,
    request: Request,
    next: Next,
) -> Response {
    if watch.is_reachable() || needs_no_database(request.uri().path()) {
        return next.run(request).await;
    }
    metrics::counter!("stoa_requests_refused_without_database_total").increment(1);
    if wants_a_page(&request) {
        return unavailable_page(
            &watch.store_name,
            "We will be back in a moment",
            "The store cannot reach its records just now. Nothing was ordered or charged; \
             please try again in a minute. Your cart is kept.",
            RETRY_AFTER_SECS,
        );
    }
    let body = serde_json::to_string(&AppError::Unavailable).unwrap_or_default();
    unavailable("application/json", body, RETRY_AFTER_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_and_files_from_disk_pass_and_everything_else_waits_for_the_database() {
        for open in [
            "/readyz",
            "/healthz",
            "/pkg/stoa.js",
            "/media/uploads/a.webp",
        ] {
            assert!(needs_no_database(open), "{open}");
        }
        for closed in [
            "/",
            "/checkout",
            "/api/checkout/place-order",
            "/admin",
            "/pkgs",
        ] {
            assert!(!needs_no_database(closed), "{closed}");
        }
    }

    #[test]
    fn script_calls_get_the_apps_error_and_navigations_get_a_page() {
        let call = Request::post("/api/cart/add")
            .header(header::ACCEPT, "application/json")
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(!wants_a_page(&call));
        let form = Request::post("/api/cart/add")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(wants_a_page(&form));
        let page = Request::get("/category/clothing")
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(wants_a_page(&page));
    }
}
