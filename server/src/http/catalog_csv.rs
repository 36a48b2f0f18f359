//! The catalog as CSV: `GET /admin/catalog/export.csv` streams every variant, a page of
//! rows at a time, so memory stays flat at any catalog size; `POST /admin/catalog/import`
//! (a multipart form, so it works without JavaScript) checks every row and imports all or
//! nothing. Its report is kept and the import page opens it.

use crate::state::AppState;
use app::accounts::auth::staff_actor;
use app::accounts::model::Role;
use app::catalog::manage::model::{ImportReport, RowError};
use app::kernel::context::Caller;
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

/// The largest CSV accepted (about 100,000 rows).
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_IMPORT_BODY_BYTES: usize = MAX_IMPORT_BYTES + 64 * 1024;
const EXPORT_PAGE_ROWS: i64 = 1_000;

pub async fn export_csv(State(state): State<AppState>, caller: Caller) -> Response {
    if let Err(error) = staff_actor(&caller, &state.server.pool, Role::Staff).await {
        return error.into_response();
    }
    let pool = state.server.pool.clone();
    let pages = futures_util::stream::unfold(Some(0_i64), move |after| {
        let pool = pool.clone();
        async move {
            let after = after?;
            match app::catalog::manage::import::export_page(&pool, after, EXPORT_PAGE_ROWS).await {
                Ok(Some((bytes, last))) => {
                    Some((Ok::<Bytes, std::io::Error>(Bytes::from(bytes)), Some(last)))
                }
                Ok(None) => None,
                Err(_) => Some((
                    Err(std::io::Error::other("the export stopped: database error")),
                    None,
                )),
            }
        }
    });
    // Fused: body layers may poll again after the end, which a bare unfold forbids.
    let pages = futures_util::StreamExt::fuse(pages);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"catalog.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(pages),
    )
        .into_response()
}

pub async fn import_csv(
    State(state): State<AppState>,
    caller: Caller,
    mut multipart: Multipart,
) -> Response {
    let actor = match staff_actor(&caller, &state.server.pool, Role::Staff).await {
        Ok(actor) => actor,
        Err(error) => return error.into_response(),
    };
    let report = match read_file(&mut multipart).await {
        Ok(bytes) => app::catalog::manage::import::import_csv(&state.server.pool, &actor, &bytes)
            .await
            .unwrap_or_else(|error| ImportReport {
                errors: vec![RowError {
                    line: 0,
                    message: error.to_string(),
                }],
                ..Default::default()
            }),
        Err(message) => ImportReport {
            errors: vec![RowError { line: 0, message }],
            ..Default::default()
        },
    };
    match app::catalog::manage::import::keep_report(&state.server.pool, &actor, &report).await {
        Ok(id) => Redirect::to(&format!("/admin/import?report={id}")).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn read_file(multipart: &mut Multipart) -> Result<Vec<u8>, String> {
    let unreadable = |_| "The upload could not be read; try again.".to_owned();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if data.len() + chunk.len() > MAX_IMPORT_BYTES {
                return Err(
                    "The file is larger than 10 MB: split it and import the parts.".to_owned(),
                );
            }
            data.extend_from_slice(&chunk);
        }
        if data.is_empty() {
            break;
        }
        return Ok(data);
    }
    Err("Choose a CSV file to import.".to_owned())
}

/// `GET /admin/catalog/export.csv` and `POST /admin/catalog/import` (up to 10 MB).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/catalog/export.csv", get(export_csv))
        .route(
            "/admin/catalog/import",
            post(import_csv).layer(tower_http::limit::RequestBodyLimitLayer::new(
                MAX_IMPORT_BODY_BYTES,
            )),
        )
}
