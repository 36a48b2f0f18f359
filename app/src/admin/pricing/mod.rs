//! Shipping and tax (admins): store-wide tax, each category's own rate, and the shipping
//! methods shoppers choose from.

pub mod api;
pub mod page;
