//! Data exports as file downloads (plain GET links, so they work without JavaScript):
//! a customer's own data at `/account/data.json`, and a customer's data for staff with the
//! admin role at `/admin/customers/{id}/data.json`.

use crate::state::AppState;
use app::accounts::auth::{current_account, staff_actor};
use app::accounts::gdpr;
use app::accounts::model::Role;
use app::kernel::context::Caller;
use app::kernel::error::AppError;
use axum::extract::{Path, State};
use axum::http::header;
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
    caller: Caller,
    Path(customer_id): Path<i64>,
) -> Response {
    let result = async {
        let staff = staff_actor(&caller, &state.server.pool, Role::Admin).await?;
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
        Err(error) => error.into_response(),
    }
}

/// The GDPR exports: a shopper's own data, and a customer's for admins.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/account/data.json", get(own_data))
        .route("/admin/customers/{id}/data.json", get(customer_data))
}
