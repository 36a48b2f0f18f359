//! Counts and times every matched route (pages, server functions, assets) by its
//! pattern, method and status, for `/metrics`.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Counts each request and records how long it took, by method, route and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("stoa_http_requests_total", &labels).increment(1);
    metrics::histogram!("stoa_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
