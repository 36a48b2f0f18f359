//! Data exports as file downloads (plain GET links, so they work without JavaScript):
//! a customer's own data at `/account/data.json`, and a customer's data for staff with the
//! admin role at `/admin/customers/{id}/data.json`.

use crate::router::AppState;
use app::accounts::auth::{check_role, current_account};
use app::accounts::gdpr;
use app::accounts::model::Role;
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

pub async fn own_data(State(state): State<AppState>, session: Session) -> Response {
    let result = async {
        let account = current_account(&session, &state.server.pool)
            .await?
            .ok_or_else(AppError::log_in_first)?;
        gdpr::export(&state.server.pool, account.id).await
    }
    .await;
    download(result, "account-data.json")
}

pub async fn customer_data(
    State(state): State<AppState>,
    session: Session,
    Path(customer_id): Path<i64>,
) -> Response {
    let result = async {
        let staff = check_role(
            current_account(&session, &state.server.pool).await?,
            Role::Admin,
        )?;
        let data = gdpr::export(&state.server.pool, customer_id).await?;
        tracing::info!(
            staff = staff.id,
            customer = customer_id,
            "customer data exported by staff"
        );
        Ok(data)
    }
    .await;
    download(result, &format!("customer-{customer_id}-data.json"))
}

fn download(result: Result<serde_json::Value, AppError>, file_name: &str) -> Response {
    match result {
        Ok(data) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
                // Personal data: never kept by a browser or proxy cache.
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            serde_json::to_string_pretty(&data).unwrap_or_default(),
        )
            .into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}
