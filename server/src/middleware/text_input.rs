//! The one check every text that enters the store passes first: no NUL character in the
//! address (path or query, percent-encoded as `%00`) or in a form or JSON body (`%00`, a
//! raw NUL byte, or `\u0000`). PostgreSQL cannot store NUL in text, so such a request would
//! otherwise fail deep inside a query; here it gets a 400 that says why. Multipart bodies
//! (image uploads, CSV files) carry binary parts and are checked by their handlers.

use app::kernel::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Requests whose body is read here are never larger than the server's body limit.
const MAX_CHECKED_BODY_BYTES: usize = super::MAX_REQUEST_BODY_BYTES;

pub async fn refuse_nul_in_text(request: Request, next: Next) -> Response {
    // The integration API answers in its own error shape (`http::api::error`).
    let refusal = if request.uri().path().starts_with("/api/v1/") {
        || {
            (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({ "type": "bad_request", "message": NUL_REFUSAL })),
            )
                .into_response()
        }
    } else {
        || refusal().into_response()
    };
    let address_has_nul = contains_encoded_nul(request.uri().path().as_bytes())
        || request
            .uri()
            .query()
            .is_some_and(|query| contains_encoded_nul(query.as_bytes()));
    if address_has_nul {
        return refusal();
    }
    if !body_is_text(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_CHECKED_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "The request is too large.",
            )
                .into_response()
        }
    };
    if bytes.contains(&0) || contains_encoded_nul(&bytes) || contains_json_nul(&bytes) {
        return refusal();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

const NUL_REFUSAL: &str =
    "The request contains a NUL character, which no text in the store can hold.";

fn refusal() -> AppError {
    AppError::invalid(NUL_REFUSAL)
}

/// Form, JSON and plain-text bodies; not multipart (binary files) nor bodiless requests.
fn body_is_text(request: &Request) -> bool {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("application/json")
        || content_type.starts_with("text/")
}

/// `%00` in any case.
fn contains_encoded_nul(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w == b"%00")
}

/// `\u0000` as JSON writes a NUL inside a string (and not `\\u0000`, an escaped
/// backslash followed by the letters).
fn contains_json_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(at, window)| {
        let escape = window[0] == b'\\' && window[1] == b'u' && &window[2..] == b"0000";
        let backslashes_before = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        escape && backslashes_before % 2 == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_every_spelling_and_nowhere_else() {
        assert!(contains_encoded_nul(b"email=a%00%40example.com"));
        assert!(contains_json_nul(br#"{"name":"a\u0000b"}"#));
        assert!(!contains_encoded_nul(b"q=100%25&page=10"));
        assert!(!contains_json_nul(br#"{"name":"a\\u0000b"}"#));
        assert!(contains_json_nul(br#"{"name":"a\\\u0000b"}"#));
        assert!(!contains_json_nul(br#"{"name":"\u00e9"}"#));
    }
}
