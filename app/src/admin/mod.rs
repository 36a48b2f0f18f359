//! The staff area at `/admin`: a client-side routed app inside the store's Leptos app,
//! one folder per capability. Every server function here checks the caller's role first
//! (`accounts::auth::require_role`, or `accounts::auth::require_staff` for changes, which
//! are audited); the pages only hide what a role cannot use.

pub mod api;
pub mod audit;
pub mod categories;
pub mod dashboard;
pub mod integrations;
pub mod model;
pub mod orders;
pub mod pages;
pub mod pricing;
pub mod products;
pub mod promotions;
pub mod staff;
pub mod stock;
pub mod store_profile;
pub mod ui;
