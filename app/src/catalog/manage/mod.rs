//! Managing the catalog from the staff area: the product editor, the staff product list
//! and the CSV import. Every change is audited in its own transaction.

pub mod model;

#[cfg(feature = "ssr")]
pub mod editor;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod upsert;
