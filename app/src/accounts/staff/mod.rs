//! Staff accounts: inviting, changing roles and deactivating.

pub mod model;

#[cfg(feature = "ssr")]
mod manage;
#[cfg(feature = "ssr")]
pub use manage::*;
