//! The shared kernel: values and helpers every capability may use, and nothing else in
//! the app. Nothing here imports a capability, a page or the staff area.

pub mod address;
pub mod countries;
pub mod encoding;
pub mod error;
pub mod money;
pub mod paging;
pub mod site;
pub mod sku;
pub mod slug;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod session;

pub mod email;
