//! The `stoa` subcommands' building blocks: serve, seed, backup and restore, check,
//! anonymize a staging copy, create staff.

pub mod anonymize;
pub mod backup;
pub mod check;
pub mod migration_check;
pub mod seed;
pub mod serve;
pub mod staff;
