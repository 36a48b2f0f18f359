//! Webhooks to the owner's other systems (ERP, accounting, warehouse). Business actions
//! call `emit` inside their own transaction, so an event exists exactly when its change
//! committed; the server's worker delivers it (see `server::webhooks`).

pub mod model;

#[cfg(feature = "ssr")]
pub mod endpoints;
#[cfg(feature = "ssr")]
pub mod outbox;
