//! Stoa's server: configuration, database set-up, the HTTP router and the command line's
//! building blocks. `main.rs` is the `stoa` binary around them.
//!
//! Lowest first; each part uses only the ones above it: `outbound` (the HTTP client for
//! calls that leave the server), `backup` (dumps with manifests, their encryption and
//! off-site copies), `config`, `database`, `payments` (Stripe's API) and `state` (the
//! shared `AppState`); `middleware` (what wraps every request); `http` (plain routes
//! beside the Leptos app, each module with its `routes()`); `assets` (earlier builds' files,
//! kept servable); `router` (puts them together);
//! `jobs` (background workers); `handover` (passing the listening socket to a new release);
//! `cli` (the subcommands).

pub mod backup;
pub mod config;
pub mod database;
pub mod outbound;
pub mod payments;
pub mod state;

pub mod middleware;

pub mod http;

pub mod assets;

pub mod router;

pub mod jobs;

pub mod handover;

pub mod cli;
