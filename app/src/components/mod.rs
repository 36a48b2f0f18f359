//! UI pieces shared by the storefront's pages.

pub mod layout;
pub mod notices;
pub mod pagination;
pub mod product_grid;
