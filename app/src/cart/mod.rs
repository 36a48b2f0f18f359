//! The cart: what a shopper intends to buy, kept in PostgreSQL so it survives restarts.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
