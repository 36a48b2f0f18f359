//! The staff area's home: revenue and orders per day for 30 days, average order value,
//! the storefront funnel, top products and the low-stock count.

pub mod api;
pub mod chart;
pub mod model;
pub mod page;

#[cfg(feature = "ssr")]
pub mod figures;
