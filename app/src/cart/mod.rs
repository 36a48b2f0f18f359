//! The cart: what a shopper intends to buy, kept in PostgreSQL so it survives restarts.

pub mod actions;
pub mod add;
pub mod api;
pub mod code;
#[cfg(feature = "ssr")]
pub mod discounts;
pub mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;
