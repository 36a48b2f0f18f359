//! What wraps every request: security headers and same-origin checks, sessions, a 503
//! while the database is unreachable, maintenance mode, visit counting and request metrics.

/// Requests larger than this are refused with 413 before any handler reads them (image
/// uploads and CSV imports have their own, larger limits).
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;

pub mod database_gate;
pub mod maintenance;
pub mod request_metrics;
pub mod security;
pub mod sessions;
pub mod text_input;
pub mod visits;
