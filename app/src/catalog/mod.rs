//! The catalog: categories, products and their variants, as the storefront shows them.

pub mod api;
pub mod categories;
pub mod manage;
pub mod model;
pub mod pages;
pub mod query;
#[cfg(feature = "ssr")]
pub mod reads;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod sitemap;
pub mod structured_data;
