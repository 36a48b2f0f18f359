//! The integration API's one error shape: `{"type", "message", "fields"}` with the HTTP
//! status that fits, `WWW-Authenticate` on 401 and `Retry-After` on 429.

use app::kernel::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// bad_request, unauthorized, forbidden, not_found, unprocessable, rate_limited,
    /// unavailable or internal.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: String,
    /// What is wrong with each field of the body, by its path (`changes.3.sku`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ApiFieldError>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unprocessable(String, Vec<ApiFieldError>),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    RateLimited { retry_after_secs: u64 },
    Unavailable,
    Internal,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound(message) => ApiError::NotFound(message),
            AppError::InvalidInput(message) => ApiError::BadRequest(message),
            AppError::InvalidFields(fields) => ApiError::Unprocessable(
                "Some fields need correcting.".to_owned(),
                fields
                    .into_iter()
                    .map(|f| ApiFieldError {
                        field: f.field,
                        message: f.message,
                    })
                    .collect(),
            ),
            AppError::Unauthorized(message) => ApiError::Unauthorized(message),
            AppError::Forbidden(message) => ApiError::Forbidden(message),
            AppError::TooManyAttempts(_) => ApiError::RateLimited {
                retry_after_secs: 60,
            },
            AppError::Unavailable => ApiError::Unavailable,
            AppError::PaymentNeedsConfirmation(_) | AppError::Internal | AppError::Unreachable => {
                ApiError::Internal
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message, fields) = match self {
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, "bad_request", message, vec![]),
            ApiError::Unprocessable(message, fields) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", message, fields)
            }
            ApiError::Unauthorized(message) => (StatusCode::UNAUTHORIZED, "unauthorized", message, vec![]),
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, "forbidden", message, vec![]),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, "not_found", message, vec![]),
            ApiError::RateLimited { retry_after_secs } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(ApiErrorBody {
                        kind: "rate_limited",
                        message: format!("Too many requests with this key; retry in {retry_after_secs} s."),
                        fields: vec![],
                    }),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return response;
            }
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The store's database cannot be reached just now; nothing was changed. Retry in a minute.".to_owned(),
                vec![],
            ),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something failed on the store's side; nothing was changed. The server log has the details.".to_owned(),
                vec![],
            ),
        };
        let mut response = (
            status,
            axum::Json(ApiErrorBody {
                kind,
                message,
                fields,
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"stoa\""),
            );
        }
        response
    }
}

/// The answers every endpoint may give before it looks at the request: no valid key, a
/// key without the scope, too many requests. Listed in each path's responses.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum KeyRefusals {
    /// No valid API key (missing, unknown, revoked or expired).
    #[response(status = 401)]
    Unauthorized(ApiErrorBody),
    /// The key lacks the scope this endpoint needs.
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
    /// Too many requests with this key; `Retry-After` says when to try again.
    #[response(status = 429)]
    RateLimited(ApiErrorBody),
}
