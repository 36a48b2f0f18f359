//! UI pieces shared by the storefront's pages.

pub mod meta;
pub mod not_found;
pub mod notices;
pub mod pagination;
