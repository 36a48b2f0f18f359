//! Orders in the staff area: the filtered list, the detail with its timeline, and the
//! actions the order state machine allows (mark paid, fulfil, cancel with restock,
//! refund in full or in part), each idempotent and audited.

pub mod api;
pub mod pages;
