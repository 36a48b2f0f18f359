//! Connecting to PostgreSQL and keeping its schema current.

use crate::kernel::error::AppError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(
    options: PgConnectOptions,
    max_connections: u32,
) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

/// The newest migration this build knows.
pub fn latest_known_migration() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The newest migration applied successfully to the database, if any.
pub async fn latest_applied_migration(pool: &PgPool) -> Result<Option<i64>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    if !exists {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
}

/// `text`, trimmed, with LIKE's wildcards escaped, to search for it literally.
pub fn escape_like(text: &str) -> String {
    text.trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The name of the constraint a failed statement violated, if that is why it failed.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    error.as_database_error().and_then(|e| e.constraint())
}

/// A constraint by name, and the error a violation of it means for the person who asked.
pub type KnownConstraint<'a> = (&'a str, fn() -> AppError);

/// A violation of one of the `known` constraints (name → the error to show, usually a
/// field error) becomes that error; any other failure is logged and internal. For the
/// conflicts only the database can see, such as a concurrent save taking the same slug.
pub fn constraint_error(error: sqlx::Error, known: &[KnownConstraint]) -> AppError {
    let found = violated_constraint(&error)
        .and_then(|name| known.iter().find(|(constraint, _)| *constraint == name));
    match found {
        Some((_, to_error)) => to_error(),
        None => error.into(),
    }
}
