//! The server's integration tests, in one binary (one link step instead of nine): the
//! real router and the `stoa` binary against a real PostgreSQL. Run them with
//! `cargo nextest run -p server` (each test in its own process, which `metrics` needs: the
//! Prometheus recorder is process-wide) or `cargo test -p server -- --test-threads=1`.

mod support;

mod accounts;
mod api;
mod architecture;
mod bad_text;
mod binary;
mod catalog_import;
mod checkout;
mod disaster_recovery;
mod http;
mod mail;
mod metrics;
mod operations;
mod promotions;
mod search_engines;
mod seed;
mod shipping_tax;
mod stripe;
mod two_factor;
mod vitals;
mod webhooks;
