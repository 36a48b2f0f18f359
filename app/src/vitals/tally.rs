//! Counting beacons: in memory as they arrive (a busy storefront adds no write per page
//! load and no contended counter row), written to `web_vital_counts` every few seconds,
//! and read back as 75th percentiles for the dashboard.

use crate::kernel::error::AppError;
use crate::vitals::model::{Beacon, Metric, MetricFigure, PageFigures, PageType, Percentile};
use chrono::NaiveDate;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Days of counts kept; older days are deleted when counts are written.
pub const DAYS_KEPT: i32 = 90;

type Key = (NaiveDate, PageType, Metric, u8);

/// Counts not yet written, per day, page type, metric and bucket. Its size is bounded by
/// the number of buckets (a day holds at most 9 x 4 x 30 keys), not by the traffic.
static UNWRITTEN: Mutex<BTreeMap<Key, i64>> = Mutex::new(BTreeMap::new());

fn unwritten() -> std::sync::MutexGuard<'static, BTreeMap<Key, i64>> {
    // A panic elsewhere while holding the lock leaves plain counts behind: keep them.
    UNWRITTEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Counts one page load's measurements for today, and records them in `/metrics`.
pub fn count(beacon: &Beacon) {
    let day = chrono::Utc::now().date_naive();
    let mut tally = unwritten();
    for (metric, value) in &beacon.values {
        *tally
            .entry((day, beacon.page, *metric, metric.bucket_of(*value)))
            .or_insert(0) += 1;
    }
    drop(tally);
    for (metric, value) in &beacon.values {
        let page = beacon.page.as_str();
        match metric {
            Metric::Cls => metrics::histogram!("stoa_web_vital_cls", "page" => page)
                .record(f64::from(*value) / 1000.0),
            _ => metrics::histogram!(
                format!("stoa_web_vital_{}_seconds", metric.as_str()),
                "page" => page
            )
            .record(f64::from(*value) / 1000.0),
        }
    }
}

/// Writes the counts gathered since the last call, in one statement, and deletes days
/// older than [`DAYS_KEPT`]. On failure the counts are kept for the next call.
pub async fn write_counts(pool: &PgPool) -> Result<(), sqlx::Error> {
    let counts = std::mem::take(&mut *unwritten());
    if counts.is_empty() {
        return Ok(());
    }
    let mut days = Vec::with_capacity(counts.len());
    let mut pages = Vec::with_capacity(counts.len());
    let mut metrics = Vec::with_capacity(counts.len());
    let mut buckets = Vec::with_capacity(counts.len());
    let mut numbers = Vec::with_capacity(counts.len());
    for ((day, page, metric, bucket), count) in &counts {
        days.push(*day);
        pages.push(page.as_str());
        metrics.push(metric.as_str());
        buckets.push(i16::from(*bucket));
        numbers.push(*count);
    }
    let written = sqlx::query(
        "WITH pruned AS (DELETE FROM web_vital_counts WHERE day < current_date - $6)
         INSERT INTO web_vital_counts (day, page_type, metric, bucket, count)
         SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::smallint[], $5::bigint[])
         ON CONFLICT (day, page_type, metric, bucket)
         DO UPDATE SET count = web_vital_counts.count + excluded.count",
    )
    .bind(&days)
    .bind(&pages)
    .bind(&metrics)
    .bind(&buckets)
    .bind(&numbers)
    .bind(DAYS_KEPT)
    .execute(pool)
    .await;
    if let Err(error) = written {
        let mut tally = unwritten();
        for (key, count) in counts {
            *tally.entry(key).or_insert(0) += count;
        }
        return Err(error);
    }
    Ok(())
}

/// Page types with at least one sample over the last `days` days (today included), in
/// the order of [`PageType::ALL`].
pub async fn figures(pool: &PgPool, days: i32) -> Result<Vec<PageFigures>, AppError> {
    let rows: Vec<(String, String, i16, i64)> = sqlx::query_as(
        "SELECT page_type, metric, bucket, sum(count)::bigint FROM web_vital_counts
         WHERE day > current_date - $1
         GROUP BY page_type, metric, bucket",
    )
    .bind(days)
    .fetch_all(pool)
    .await?;
    let mut counts: BTreeMap<(PageType, Metric), Vec<i64>> = BTreeMap::new();
    for (page, metric, bucket, count) in rows {
        let (Some(page), Some(metric), Ok(bucket)) = (
            PageType::parse(&page),
            Metric::parse(&metric),
            usize::try_from(bucket),
        ) else {
            continue;
        };
        let buckets = counts
            .entry((page, metric))
            .or_insert_with(|| vec![0; metric.bucket_bounds().len() + 1]);
        if let Some(slot) = buckets.get_mut(bucket) {
            *slot += count;
        }
    }
    Ok(PageType::ALL
        .into_iter()
        .filter(|page| {
            Metric::ALL
                .iter()
                .any(|m| counts.contains_key(&(*page, *m)))
        })
        .map(|page| PageFigures {
            page,
            metrics: Metric::ALL
                .into_iter()
                .map(|metric| {
                    let buckets = counts.get(&(page, metric));
                    MetricFigure {
                        metric,
                        p75: buckets.and_then(|b| Percentile::p75(metric, b)),
                        samples: buckets.map_or(0, |b| b.iter().sum()),
                    }
                })
                .collect(),
        })
        .collect())
}
