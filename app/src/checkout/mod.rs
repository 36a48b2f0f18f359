//! Checkout: address, shipping, tax and payment, ending in a placed order.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod quote;
#[cfg(feature = "ssr")]
pub mod submit;
