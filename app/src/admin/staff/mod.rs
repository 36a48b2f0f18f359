//! Staff accounts (owner only): invite by email, change role, deactivate and reactivate.
//! The store always keeps one active owner.

pub mod api;
pub mod page;
