//! `GET /admin/promotions/{id}/codes.csv` (admins): every code of a promotion, with its
//! uses, to hand to a mailing tool or a print shop.

use crate::state::AppState;
use app::accounts::auth::staff_actor;
use app::accounts::model::Role;
use app::kernel::context::Caller;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

async fn export_codes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    if let Err(error) = staff_actor(&caller, &state.server.pool, Role::Admin).await {
        return error.into_response();
    }
    let Ok(id) = id.parse::<i64>() else {
        return app::kernel::error::AppError::not_found("There is no such promotion.")
            .into_response();
    };
    match app::promotions::manage::codes_csv(&state.server.pool, id).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"promotion-{id}-codes.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/admin/promotions/{id}/codes.csv",
        axum::routing::get(export_codes),
    )
}
