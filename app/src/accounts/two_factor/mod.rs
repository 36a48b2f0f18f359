//! Two-factor login for staff (TOTP codes from an authenticator app, recovery codes), the
//! store setting that requires it for owners and admins, and the security page where
//! people set it up and see and end their logins.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod code;
#[cfg(feature = "ssr")]
pub mod repo;
