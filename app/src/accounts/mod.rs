//! Accounts of customers and staff. So far: the password rules and how passwords are
//! stored; registration, login and roles build on these.

#[cfg(feature = "ssr")]
pub mod password;
