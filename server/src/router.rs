//! The HTTP router: the same one `stoa serve` runs and the HTTP tests exercise.

use crate::http;
use crate::middleware::{
    database_gate, maintenance, request_metrics, security, sessions, text_input, visits,
};
use crate::state::AppState;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use tower::ServiceBuilder;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// A request still unanswered after this long is ended (408), so nothing holds a
/// connection forever.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub use crate::middleware::MAX_REQUEST_BODY_BYTES;

/// The app's routes, worked out once per process.
///
/// Generating them renders the app with resource loading suppressed process-wide
/// (leptos_server 0.8's `SuppressResourceLoad`, upstream issue #4773); a resource first
/// polled on another thread meanwhile never resolves and its page hangs. Generating once,
/// before any router exists, means nothing renders while it happens.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id
    )
}

pub fn build_router(state: AppState) -> Router {
    http::metrics::prometheus();
    let options = state.leptos_options.clone();
    let routes = route_list();

    // Release builds ship .br/.gz copies of each asset (scripts/precompress.mjs), served as
    // is; the compression layer leaves already-encoded responses alone.
    // Asset names carry a content hash when cargo-leptos built with hash-files, so a
    // browser may keep them for a year; without hashes they must be revalidated.
    let asset_cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let pkg_dir =
        std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let assets = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(asset_cache),
        ))
        .service(
            ServeDir::new(&pkg_dir)
                .precompressed_br()
                .precompressed_gzip()
                // Earlier builds' files, for tabs opened before a deploy (`crate::assets`).
                .fallback(
                    ServeDir::new(crate::assets::archive_dir(
                        std::path::Path::new(options.site_root.as_ref()),
                        options.site_pkg_dir.as_ref(),
                    ))
                    .precompressed_br()
                    .precompressed_gzip(),
                ),
        );

    // Uploaded images are named by content hash: browsers may keep them for a year.
    let uploaded_media = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(ServeDir::new(&state.media_dir));

    let context = {
        let state = state.clone();
        move || state.provide_to_leptos()
    };
    let fallback_context = context.clone();
    let sessions = sessions::session_layer(state.server.pool.clone(), state.secure_cookies);

    Router::new()
        .merge(http::routes())
        .nest_service("/pkg", assets)
        .leptos_routes_with_context(&state, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        // Counts every matched route (pages, server functions, assets) with its pattern.
        .route_layer(middleware::from_fn(request_metrics::track_requests))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(fallback_context, shell))
        // Everything above takes bodies up to 1 MiB; image uploads, added below, 5 MB.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY_BYTES))
        .merge(http::upload_routes())
        .nest_service("/media/uploads", uploaded_media)
        .layer(middleware::from_fn(visits::count_visits))
        // Inside the session layer below, so it can tell staff from shoppers.
        .layer(middleware::from_fn_with_state(
            maintenance::MaintenanceGate::new(
                state.server.pool.clone(),
                state.server.site.store_name.clone(),
            ),
            maintenance::maintenance_gate,
        ))
        // Outside maintenance mode and sessions, which both read the database.
        .layer(middleware::from_fn_with_state(
            database_gate::DatabaseWatch::start(
                state.server.pool.clone(),
                state.server.site.store_name.clone(),
            ),
            database_gate::database_gate,
        ))
        .layer(
            ServiceBuilder::new()
                // Every request gets an id (or keeps the one a proxy gave it), named in every
                // log line written while it is handled and returned as `x-request-id`.
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(middleware::from_fn_with_state(
                    state.served_over_https(),
                    security::security_headers,
                ))
                .layer(middleware::from_fn_with_state(
                    security::AllowedOrigin::from_public_url(&state.server.site.public_url),
                    security::require_same_origin,
                ))
                .layer(middleware::from_fn(text_input::refuse_nul_in_text))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                .layer(sessions)
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                )),
        )
        .with_state(state)
}
