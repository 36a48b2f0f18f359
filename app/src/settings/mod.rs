//! Store settings staff change from the staff area.

pub mod model;

#[cfg(feature = "ssr")]
mod maintenance;
#[cfg(feature = "ssr")]
pub use maintenance::*;
#[cfg(feature = "ssr")]
mod security;
#[cfg(feature = "ssr")]
pub use security::*;
#[cfg(feature = "ssr")]
pub mod store;
