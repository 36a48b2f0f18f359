//! Orders: placing one from a cart in a single transaction, and the state machine that
//! every later change of an order goes through.

#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod event_payload;
pub mod manage;
pub mod model;
#[cfg(feature = "ssr")]
pub mod payment_events;
#[cfg(feature = "ssr")]
pub mod place;
#[cfg(feature = "ssr")]
pub mod receipt;
#[cfg(feature = "ssr")]
pub mod status;
