//! Accounts of customers and staff: registration with email confirmation, login and
//! logout, password rules, storage, change and reset, limits on repeated failures, staff
//! roles, two-factor login and the list of logins, the address book, saved cards, order history, and the customer's data rights (export and
//! erasure).

pub mod actions;
pub mod api;
pub mod model;
pub mod pages;
pub mod staff;
pub mod two_factor;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod gdpr;
#[cfg(feature = "ssr")]
pub mod logins;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod saved_cards;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;
