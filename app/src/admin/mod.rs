//! The staff area at `/admin`. Every server function here starts with
//! `accounts::auth::require_role`; the pages only hide what a role cannot use.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod settings;
