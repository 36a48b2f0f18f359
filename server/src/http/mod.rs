//! Plain HTTP routes beside the Leptos app: health, metrics, media, data exports, image
//! uploads, catalog CSV, sitemaps, page-load beacons, the payment provider's events and the
//! integration API (`api`, under /api/v1). Each module answers for its own
//! paths with `routes()`.

pub mod api;
pub mod catalog_csv;
pub mod exports;
pub mod health;
pub mod media;
pub mod metrics;
pub mod payment_events;
pub mod promotion_codes;
pub mod sitemap;
pub mod uploads;
pub mod vitals;

use crate::state::AppState;
use axum::Router;

/// Routes whose requests fit the server's general body limit (1 MiB).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(metrics::routes())
        .merge(media::routes())
        .merge(exports::routes())
        .merge(sitemap::routes())
        .merge(vitals::routes())
        .merge(payment_events::routes())
        .merge(api::routes())
}

/// Routes that take large uploads, each with its own body limit.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .merge(uploads::routes())
        .merge(catalog_csv::routes())
        .merge(promotion_codes::routes())
}
