//! Accounts of customers and staff. So far: the password rules, how passwords are stored,
//! and limits on repeated failures; registration, login and roles build on these.

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod throttle;
