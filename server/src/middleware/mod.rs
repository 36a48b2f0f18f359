//! What wraps every request: security headers and same-origin checks, sessions,
//! maintenance mode, visit counting and request metrics.

pub mod maintenance;
pub mod request_metrics;
pub mod security;
pub mod sessions;
pub mod visits;
