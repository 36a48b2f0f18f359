//! Limits on repeated failures (order look-ups, and logins once accounts exist): after
//! `limit` failures within `window`, further attempts are refused until the oldest of them
//! leaves the window. Counted in PostgreSQL, so limits hold across restarts and processes.

use crate::kernel::error::AppError;
use sqlx::PgPool;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub scope: &'static str,
    pub max_failures: i64,
    pub window: Duration,
}

/// Refuses with a message saying when to try again once the limit is reached.
pub async fn check(pool: &PgPool, limit: Limit, key: &str) -> Result<(), AppError> {
    let window_secs = limit.window.as_secs_f64();
    let (failures, retry_in_secs): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*),
                extract(epoch FROM min(attempted_at) + make_interval(secs => $3) - now())::float8
         FROM failed_attempts
         WHERE scope = $1 AND key = $2 AND attempted_at > now() - make_interval(secs => $3)",
    )
    .bind(limit.scope)
    .bind(key)
    .bind(window_secs)
    .fetch_one(pool)
    .await?;
    if failures >= limit.max_failures {
        let minutes = (retry_in_secs.unwrap_or(window_secs) / 60.0)
            .ceil()
            .max(1.0) as i64;
        return Err(AppError::TooManyAttempts(format!(
            "Too many attempts. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

pub async fn record_failure(pool: &PgPool, limit: Limit, key: &str) -> Result<(), AppError> {
    let key: String = key.chars().take(300).collect();
    sqlx::query("INSERT INTO failed_attempts (scope, key) VALUES ($1, $2)")
        .bind(limit.scope)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets the failures for this key (after a success).
pub async fn clear(pool: &PgPool, limit: Limit, key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM failed_attempts WHERE scope = $1 AND key = $2")
        .bind(limit.scope)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes attempts older than a day (run periodically).
pub async fn forget_old_attempts(pool: &PgPool) -> Result<u64, AppError> {
    let deleted =
        sqlx::query("DELETE FROM failed_attempts WHERE attempted_at < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(deleted.rows_affected())
}
