//! `/metrics` in Prometheus format: request counts and latencies by route and status
//! (server functions included, each has its own route), the database pool, and the
//! business counters the domain records (orders placed, checkout failures by reason,
//! payment declines, stock-outs).

use crate::router::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets, in seconds, for every `*_seconds` histogram.
const LATENCY_BUCKETS: [f64; 11] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process-wide recorder (a process has one), installed on first use.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &LATENCY_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder)
                .unwrap_or_else(|error| panic!("installing the metrics recorder failed: {error}"))
        })
        .clone()
}

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

/// `GET /metrics`
pub async fn metrics_endpoint(State(state): State<AppState>) -> impl IntoResponse {
    let pool = &state.server.pool;
    let idle = pool.num_idle() as f64;
    let total = f64::from(pool.size());
    metrics::gauge!("stoa_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("stoa_db_pool_connections", "state" => "in_use").set((total - idle).max(0.0));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        prometheus().render(),
    )
}
