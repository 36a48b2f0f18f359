//! Counting storefront visits for the dashboard's funnel. A visit is a page request from
//! a browser without the short-lived `stoa_visit` cookie; the count is kept in memory
//! and written every few seconds, so a busy storefront adds no write per page.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;
use std::sync::atomic::{AtomicI32, Ordering};

static UNWRITTEN_VISITS: AtomicI32 = AtomicI32::new(0);

const VISIT_COOKIE: &str = "stoa_visit";
/// A visit ends after 30 minutes: the same browser later counts again.
const VISIT_COOKIE_VALUE: &str = "stoa_visit=1; Max-Age=1800; Path=/; HttpOnly; SameSite=Lax";

/// Whether this request opens a storefront page in a browser that has no visit running.
fn starts_a_visit(request: &Request) -> bool {
    let path = request.uri().path();
    let is_page = request.method() == Method::GET
        && ![
            "/api/", "/pkg/", "/media/", "/admin", "/healthz", "/readyz", "/metrics",
        ]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let visiting = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim().split('=').next() == Some(VISIT_COOKIE));
    is_page && !visiting
}

pub async fn count_visits(request: Request, next: Next) -> Response {
    let new_visit = starts_a_visit(&request);
    let mut response = next.run(request).await;
    if new_visit && response.status().is_success() {
        UNWRITTEN_VISITS.fetch_add(1, Ordering::Relaxed);
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static(VISIT_COOKIE_VALUE),
        );
    }
    response
}

/// Writes the visits counted since the last call; on failure they are kept for the next.
pub async fn write_counted_visits(pool: &PgPool) -> Result<(), sqlx::Error> {
    let count = UNWRITTEN_VISITS.swap(0, Ordering::Relaxed);
    if let Err(error) = app::funnel::record_visits(pool, count).await {
        UNWRITTEN_VISITS.fetch_add(count, Ordering::Relaxed);
        return Err(error);
    }
    Ok(())
}

pub fn spawn_visit_writer(pool: PgPool) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            ticker.tick().await;
            if let Err(error) = write_counted_visits(&pool).await {
                tracing::warn!(?error, "writing visit counts failed");
            }
        }
    });
}
