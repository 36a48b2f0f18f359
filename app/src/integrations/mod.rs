//! The integration API's capability: keys with scopes for other systems, and what the API
//! reads and writes (orders with their lines, stock by SKU), each through the same rules as
//! the staff area. The HTTP side is `server::http::api`.

pub mod model;

#[cfg(feature = "ssr")]
pub mod catalog;
#[cfg(feature = "ssr")]
pub mod cursor;
#[cfg(feature = "ssr")]
pub mod customers;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod orders;
#[cfg(feature = "ssr")]
pub mod stock;
