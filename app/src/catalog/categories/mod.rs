//! The category tree as staff edit it.

pub mod model;

#[cfg(feature = "ssr")]
mod edit;
#[cfg(feature = "ssr")]
pub use edit::*;
