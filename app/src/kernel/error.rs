//! The one error type of the application: what a shopper or staff member can act on,
//! with internal causes logged on the server and never shown.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or is not published).
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong; the message says how to fix it.
    #[error("{0}")]
    InvalidInput(String),
    /// Some fields of a form are wrong: each entry names the field and says how to fix it,
    /// for the form to show next to that field.
    #[error("Some fields need correcting: {}", summary(.0))]
    InvalidFields(Vec<FieldError>),
    /// The caller is not logged in and must be to do this.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is logged in but their role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed attempts in a short time; the message says when to try again.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The card's bank asks the shopper to confirm the payment (3-D Secure). Holds the
    /// secret the browser's payment script needs to show the bank's check; after it, the
    /// form is submitted again.
    #[error("Your bank asks you to confirm this payment.")]
    PaymentNeedsConfirmation(String),
    /// Something failed on our side; details are in the server log only.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The store's database cannot be reached just now; nothing was changed or charged.
    #[error("The store is briefly unavailable. Nothing was ordered or charged; please try again in a minute.")]
    Unavailable,
    /// The browser could not reach the server or understand its answer.
    #[error("The store could not be reached. Check your connection and try again.")]
    Unreachable,
}

/// What is wrong with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name in the form, e.g. `name` or `variants.0.sku`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl AppError {
    /// The message for one field, when this error names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::InvalidFields(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// Field errors as one error, or nothing when there are none.
    pub fn from_field_errors(errors: Vec<FieldError>) -> Result<(), AppError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::InvalidFields(errors))
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    pub fn log_in_first() -> Self {
        Self::Unauthorized("Log in to continue.".to_owned())
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::InvalidInput(_) | AppError::InvalidFields(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::TooManyAttempts(_) => 429,
            AppError::PaymentNeedsConfirmation(_) => 402,
            AppError::Internal => 500,
            AppError::Unreachable => 502,
            AppError::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::InvalidInput(format!("The request could not be understood: {message}"))
            }
            // On the server, failing to decode means the request body was bad (or too big).
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => {
                AppError::InvalidInput("The request could not be read.".to_owned())
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(_) => AppError::Unreachable,
            ServerFnErrorErr::Request(_)
            | ServerFnErrorErr::Response(_)
            | ServerFnErrorErr::Serialization(_) => AppError::Unreachable,
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        };
        #[cfg(feature = "ssr")]
        set_response_status(&error);
        error
    }
}

/// Makes the HTTP response that is being built carry this error's status code.
/// Works for server-function calls and for pages rendered on the server.
///
/// Not for a browser's plain form post (no JavaScript): Leptos answers that with a
/// redirect back to the form, carrying the error in the address for the page to show,
/// and a status here would replace the redirect with a bare error response.
#[cfg(feature = "ssr")]
pub fn set_response_status(error: &AppError) {
    if let Some(request) = leptos::prelude::use_context::<http::request::Parts>() {
        let accepts_html = request
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if request.method == http::Method::POST && accepts_html {
            return;
        }
    }
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        let status = http::StatusCode::from_u16(error.status_code())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        response.set_status(status);
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(error = %error, "database error");
        if database_unreachable(&error) {
            AppError::Unavailable
        } else {
            AppError::Internal
        }
    }
}

/// Whether `error` means the database could not be reached (rather than a wrong query):
/// no connection within the pool's patience, a dropped connection, or a server shutting
/// down or starting up (SQLSTATE classes 08 and 57P).
#[cfg(feature = "ssr")]
pub fn database_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(database) => database
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// A plain axum route answers an error with its status and its message as text; internal
/// causes were logged where they happened and are never shown.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status_code())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.to_string()).into_response()
    }
}
