//! The app's integration tests, in one binary: domain functions and their SQL against a
//! real PostgreSQL (a fresh database per test, from `app::testing::TestDatabase`), and
//! the architecture rules of `app/src`.

mod accounts;
mod architecture;
mod catalog;
mod orders;
mod promotions;
mod staff_actions;
mod store_settings;
mod throttle;
mod zones;
