//! `/metrics` in Prometheus format: request counts and latencies by route and status
//! (server functions included, each has its own route), the database pool, and the
//! business counters the domain records (orders placed, checkout failures by reason,
//! payment declines, stock-outs), and page loads measured in shoppers' browsers.

use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Latency buckets, in seconds, for every `*_seconds` histogram.
const LATENCY_BUCKETS: [f64; 11] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Buckets, in seconds, for page-load times measured in shoppers' browsers: the "good"
/// and "poor" thresholds of LCP (2.5 s, 4 s), INP (0.2 s, 0.5 s) and TTFB (0.8 s, 1.8 s)
/// are bounds.
const PAGE_LOAD_BUCKETS: [f64; 12] = [
    0.1, 0.2, 0.5, 0.8, 1.0, 1.8, 2.5, 4.0, 6.0, 10.0, 20.0, 60.0,
];

/// Buckets for the layout-shift score (good up to 0.1, poor above 0.25).
const LAYOUT_SHIFT_BUCKETS: [f64; 7] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// The process-wide recorder (a process has one), installed on first use.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // A full name takes precedence over a suffix (the exporter orders its matchers).
            let page_load = ["lcp", "inp", "ttfb"]
                .map(|metric| Matcher::Full(format!("stoa_web_vital_{metric}_seconds")));
            page_load
                .into_iter()
                .try_fold(PrometheusBuilder::new(), |builder, matcher| {
                    builder.set_buckets_for_metric(matcher, &PAGE_LOAD_BUCKETS)
                })
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        Matcher::Full("stoa_web_vital_cls".to_owned()),
                        &LAYOUT_SHIFT_BUCKETS,
                    )
                })
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        Matcher::Suffix("_seconds".to_owned()),
                        &LATENCY_BUCKETS,
                    )
                })
                .and_then(PrometheusBuilder::install_recorder)
                .unwrap_or_else(|error| panic!("installing the metrics recorder failed: {error}"))
        })
        .clone()
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

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/metrics", axum::routing::get(metrics_endpoint))
}
