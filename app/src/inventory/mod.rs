//! Inventory: the stock ledger, where every change to a variant's stock is one
//! append-only movement with its reason (sale, cancellation, count, delivery, …).

pub mod model;

#[cfg(feature = "ssr")]
pub mod ledger;
