//! The `stoa` subcommands' building blocks: serve, seed, check, anonymize a staging copy,
//! create staff (backup and restore live in `crate::backup`).

pub mod anonymize;
pub mod check;
pub mod migration_check;
pub mod seed;
pub mod serve;
pub mod staff;
