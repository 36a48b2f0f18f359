//! Web security on every response and request: protective headers, and a check that
//! state-changing requests come from the store's own pages (on top of SameSite cookies).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The scheme, host and port shoppers use, as browsers write it in `Origin`.
#[derive(Clone, Debug)]
pub struct AllowedOrigin(pub String);

impl AllowedOrigin {
    pub fn from_public_url(public_url: &str) -> Self {
        let without_path = match public_url.find("://") {
            Some(at) => {
                let rest = &public_url[at + 3..];
                let end = rest.find('/').map_or(public_url.len(), |i| at + 3 + i);
                &public_url[..end]
            }
            None => public_url,
        };
        Self(without_path.to_ascii_lowercase())
    }

    fn matches(&self, value: &str) -> bool {
        AllowedOrigin::from_public_url(value).0 == self.0
    }
}

/// Refuses POST, PUT, PATCH and DELETE unless `Origin` (or, without it, `Referer`) names
/// the store itself. Browsers send `Origin` with every such request; a request from
/// another site, or one that hides where it comes from, is refused with 403.
pub async fn require_same_origin(
    State(allowed): State<AllowedOrigin>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // The payment provider's events come from its servers, signed: the route checks the
    // signature instead.
    // The integration API authenticates with a bearer key, never a cookie, so another
    // site cannot make a browser call it with the victim's rights.
    if safe
        || request.uri().path() == crate::payments::STRIPE_EVENTS_PATH
        || request.uri().path().starts_with("/api/v1/")
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source {
        Some(source) if allowed.matches(source) => next.run(request).await,
        _ => {
            tracing::warn!(origin = ?source, path = %request.uri().path(), "cross-site request refused");
            (
                StatusCode::FORBIDDEN,
                "This request did not come from this store's pages, so it was refused. Reload the page and try again.",
            )
                .into_response()
        }
    }
}

/// For responses that are not pages (server functions, assets, health checks).
pub const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// For pages, beside the policy each page carries in its `<head>` (with that render's
/// script nonce, see `app::page_policy`): the directives a `<meta>` policy cannot carry or
/// that are stronger in a header. Browsers enforce both policies.
pub const PAGE_HEADER_POLICY: &str =
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every response carries. HSTS only when the store is served over https.
pub async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(if is_page {
            PAGE_HEADER_POLICY
        } else {
            DEFAULT_POLICY
        }));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port_only() {
        let allowed = AllowedOrigin::from_public_url("https://Shop.example/");
        assert!(allowed.matches("https://shop.example"));
        assert!(allowed.matches("https://shop.example/checkout?x=1"));
        assert!(!allowed.matches("http://shop.example"));
        assert!(!allowed.matches("https://shop.example.evil.test"));
        assert!(!allowed.matches("https://shop.example:8443"));
        assert!(!allowed.matches("null"));
    }
}
