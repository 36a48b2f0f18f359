//! Promotions and discount codes (admins): the list with uses and revenue, the editor,
//! pausing, resuming and ending, and codes typed or generated in batches.

pub mod api;
pub mod page;
