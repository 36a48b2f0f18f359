//! The integration API under `/api/v1`, for ERP, warehouse and accounting systems: JSON,
//! keyed by API keys with scopes (not sessions), described by an OpenAPI 3.1 document
//! generated from these handlers (`/api/v1/openapi.json`) and a reference page for
//! people (`/api/v1`). Handlers call the same capability functions as the staff area.

pub mod auth;
mod customers;
pub mod error;
mod events;
mod orders;
mod products;
mod reference;
mod stock;
pub mod usage;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use error::{ApiError, ApiErrorBody};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Stoa integration API",
        version = "1",
        description = "Orders, stock and the catalog for other systems. Authenticate with `Authorization: Bearer stoa_…`; each endpoint names the scope its key needs. Amounts are integers in the currency's minor unit. Lists are paged with `cursor` and never skip or repeat a row. Errors are `{\"type\", \"message\", \"fields\"}`."
    ),
    paths(
        orders::list_orders,
        orders::get_order,
        orders::fulfil_order,
        orders::cancel_order,
        orders::refund_order,
        products::list_products,
        products::get_product,
        products::put_product,
        products::publish_product,
        products::unpublish_product,
        stock::change_stock,
        events::list_events,
        customers::list_customers,
        customers::get_customer
    ),
    components(schemas(ApiErrorBody, error::ApiFieldError)),
    modifiers(&BearerKey),
    tags(
        (name = "orders", description = "Orders with their lines, addresses, payments and shipments"),
        (name = "stock", description = "Stock levels by SKU, written to the stock ledger"),
        (name = "catalog", description = "Products with their variants, prices and stock"),
        (name = "events", description = "Every event in order, to catch up after downtime"),
        (name = "customers", description = "Customer accounts"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer key scheme the paths refer to.
struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: `stoa_` followed by 73 characters"))
                    .build(),
            ),
        );
    }
}

/// The document, generated once.
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        serde_json::to_value(ApiDoc::openapi()).unwrap_or(serde_json::Value::Null)
    });
    &DOCUMENT
}

async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(document().clone())
}

async fn unknown_endpoint() -> ApiError {
    ApiError::NotFound("There is no such endpoint; /api/v1/openapi.json lists them.".to_owned())
}

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/", get(reference::page))
        .route("/openapi.json", get(openapi_json))
        .route("/orders", get(orders::list_orders))
        .route("/orders/{number}", get(orders::get_order))
        .route("/orders/{number}/fulfil", post(orders::fulfil_order))
        .route("/orders/{number}/cancel", post(orders::cancel_order))
        .route("/orders/{number}/refunds", post(orders::refund_order))
        .route("/products", get(products::list_products))
        .route(
            "/products/{slug}",
            get(products::get_product).put(products::put_product),
        )
        .route("/products/{slug}/publish", post(products::publish_product))
        .route(
            "/products/{slug}/unpublish",
            post(products::unpublish_product),
        )
        .route("/stock", post(stock::change_stock))
        .route("/events", get(events::list_events))
        .route("/customers", get(customers::list_customers))
        .route("/customers/{id}", get(customers::get_customer))
        .fallback(unknown_endpoint)
        .layer(axum::middleware::from_fn(usage::count_requests));
    Router::new().nest("/api/v1", api)
}
