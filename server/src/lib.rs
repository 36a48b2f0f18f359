//! Stoa's server: configuration, database set-up, the HTTP router and the command line's
//! building blocks. `main.rs` is the `stoa` binary around them.

pub mod anonymize;
pub mod backup;
pub mod catalog_csv;
pub mod check;
pub mod config;
pub mod database;
pub mod exports;
pub mod health;
pub mod mail;
pub mod maintenance;
pub mod media;
pub mod metrics;
pub mod router;
pub mod security;
pub mod seed;
pub mod serve;
pub mod staff;
pub mod staff_actor;
pub mod uploads;
pub mod visits;
pub mod webhooks;
