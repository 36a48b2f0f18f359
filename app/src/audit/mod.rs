//! The audit log: who changed what, when and from where. Every staff change writes its
//! record inside the transaction of the change; nothing here knows who may do what.

pub mod model;

#[cfg(feature = "ssr")]
mod log;
#[cfg(feature = "ssr")]
pub use log::{browse, record, snapshot, Actor, Change, AUDIT_PAGE_SIZE};
