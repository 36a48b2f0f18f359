//! `/metrics` in Prometheus format: request counts and latencies by route and status
//! (server functions included, each has its own route), the database pool, and the
//! business counters the domain records (orders placed, checkout failures by reason,
//! payment declines, stock-outs).

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
