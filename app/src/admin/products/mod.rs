//! The catalog in the staff area: the product list (search, filters, pages that stay fast
//! at 100,000 products), the product editor with variants, publishing and archiving.
//! Every change is audited and sends the `product.updated` webhook event.

pub mod api;
pub mod pages;
