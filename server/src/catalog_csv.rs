//! The catalog as CSV: `GET /admin/catalog/export.csv` streams every variant, a page of
//! rows at a time, so memory stays flat at any catalog size; `POST /admin/catalog/import`
//! (a multipart form, so it works without JavaScript) checks every row and imports all or
//! nothing. Its report is kept and the import page opens it.

use crate::router::AppState;
use crate::staff_actor::require_staff;
use app::accounts::model::Role;
use app::admin::products::model::{ImportReport, RowError};
use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use std::net::SocketAddr;
use tower_sessions::Session;

/// The largest CSV accepted (about 100,000 rows).
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_IMPORT_BODY_BYTES: usize = MAX_IMPORT_BYTES + 64 * 1024;
const EXPORT_PAGE_ROWS: i64 = 1_000;

pub async fn export_csv(State(state): State<AppState>, session: Session) -> Response {
    if let Err(error) = require_staff(&state, &session, None, &HeaderMap::new(), Role::Staff).await
    {
        return refusal(error);
    }
    let pool = state.server.pool.clone();
    let pages = futures_util::stream::unfold(Some(0_i64), move |after| {
        let pool = pool.clone();
        async move {
            let after = after?;
            match app::admin::products::import::export_page(&pool, after, EXPORT_PAGE_ROWS).await {
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

fn refusal(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
    (status, error.to_string()).into_response()
}

pub async fn import_csv(
    State(state): State<AppState>,
    session: Session,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let peer = peer.map(|Extension(peer)| peer);
    let actor = match require_staff(&state, &session, peer, &headers, Role::Staff).await {
        Ok(actor) => actor,
        Err(error) => return refusal(error),
    };
    let report = match read_file(&mut multipart).await {
        Ok(bytes) => app::admin::products::import::import_csv(&state.server.pool, &actor, &bytes)
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
    match app::admin::products::import::keep_report(&state.server.pool, &actor, &report).await {
        Ok(id) => Redirect::to(&format!("/admin/import?report={id}")).into_response(),
        Err(error) => refusal(error),
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
