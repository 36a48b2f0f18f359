//! Times as shoppers and staff read them: in the store's time zone (a store setting),
//! with the zone's abbreviation, "2026-12-01 09:30 CET". PostgreSQL does the conversion,
//! so daylight saving follows its time zone database.

use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Each time in the store's zone, minutes precision, in the same order.
pub async fn store_times(pool: &PgPool, times: &[DateTime<Utc>]) -> Result<Vec<String>, AppError> {
    if times.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT set_config('TimeZone', (SELECT time_zone FROM store_settings), true)")
        .execute(&mut *tx)
        .await?;
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT to_char(t, 'YYYY-MM-DD HH24:MI TZ') FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, i) ORDER BY i",
    )
    .bind(times)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(texts)
}
