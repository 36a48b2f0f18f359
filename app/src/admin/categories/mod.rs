//! Categories as a tree: create, rename, move under another parent, order among
//! siblings, delete when empty. Each change is audited.

pub mod api;
pub mod page;
