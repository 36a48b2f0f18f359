//! The HTTP router: the same one `stoa serve` runs and the HTTP tests exercise.

use crate::security::{self, AllowedOrigin};
use crate::{catalog_csv, exports, health, maintenance, media, metrics, uploads};
use app::state::ServerState;
use app::{shell, App};
use axum::extract::FromRef;
use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
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
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// A request still unanswered after this long is ended (408), so nothing holds a
/// connection forever.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Requests larger than this are refused with 413 before any handler reads them.
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub server: ServerState,
    /// Session cookies carry `Secure` everywhere but in development (plain http on localhost).
    pub secure_cookies: bool,
    /// Uploaded images (STOA_MEDIA_DIR), served under /media/uploads/.
    pub media_dir: std::path::PathBuf,
}

impl AppState {
    fn allowed_origin(&self) -> AllowedOrigin {
        AllowedOrigin::from_public_url(&self.server.site.public_url)
    }

    fn served_over_https(&self) -> bool {
        self.server.site.public_url.starts_with("https://")
    }
}

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

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

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
    metrics::prometheus();
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
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );

    // Uploaded images are named by content hash: browsers may keep them for a year.
    let uploaded_media = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(ServeDir::new(&state.media_dir));

    let server_state = state.server.clone();
    let context = move || provide_context(server_state.clone());
    let fallback_state = state.server.clone();
    let fallback_context = move || provide_context(fallback_state.clone());
    let sessions = SessionManagerLayer::new(session_store(state.server.pool.clone()))
        .with_name(session_cookie_name(state.secure_cookies))
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(
            SESSION_IDLE_DAYS,
        )));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics_endpoint))
        .route("/media/placeholder/{file}", get(media::placeholder_svg))
        .route("/account/data.json", get(exports::own_data))
        .route(
            "/admin/customers/{id}/data.json",
            get(exports::customer_data),
        )
        .nest_service("/pkg", assets)
        .leptos_routes_with_context(&state, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        // Counts every matched route (pages, server functions, assets) with its pattern.
        .route_layer(middleware::from_fn(metrics::track_requests))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(fallback_context, shell))
        // Everything above takes bodies up to 1 MiB; image uploads, added below, 5 MB.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY_BYTES))
        .route(
            "/admin/products/{id}/images",
            post(uploads::upload_product_image)
                .layer(RequestBodyLimitLayer::new(uploads::MAX_UPLOAD_BODY_BYTES)),
        )
        .route("/admin/catalog/export.csv", get(catalog_csv::export_csv))
        .route(
            "/admin/catalog/import",
            post(catalog_csv::import_csv).layer(RequestBodyLimitLayer::new(
                catalog_csv::MAX_IMPORT_BODY_BYTES,
            )),
        )
        .nest_service("/media/uploads", uploaded_media)
        .layer(middleware::from_fn(crate::visits::count_visits))
        // Inside the session layer below, so it can tell staff from shoppers.
        .layer(middleware::from_fn_with_state(
            maintenance::MaintenanceGate::new(
                state.server.pool.clone(),
                state.server.site.store_name.clone(),
            ),
            maintenance::maintenance_gate,
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
                    state.allowed_origin(),
                    security::require_same_origin,
                ))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                .layer(sessions)
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                )),
        )
        .with_state(state)
}
