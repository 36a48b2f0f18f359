//! `/metrics` after real checkouts. The recorder is process-wide: run these tests in a
//! process of their own (cargo-nextest does), or other tests would move the counters too.

use crate::support::{checkout_form, spawn_app_with, Shopper};
use axum::http::StatusCode;

/// The value of the sample whose line starts with `series` (name and labels), or 0.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn counters_move_after_checkouts() {
    let app = spawn_app_with(None, None).await;
    let last_unit = app.variant_with_stock(1).await;

    let mut buyer = Shopper::default();
    let key = buyer.fill_cart_and_open_checkout(&app, last_unit, 1).await;
    let mut too_late = Shopper::default();
    let late_key = too_late
        .fill_cart_and_open_checkout(&app, last_unit, 1)
        .await;
    let declined = buyer
        .post(
            &app,
            "/api/checkout/place-order",
            &checkout_form(&key, "4000 0000 0000 0002"),
        )
        .await;
    assert_eq!(declined.status, StatusCode::BAD_REQUEST);
    let placed = buyer
        .post(
            &app,
            "/api/checkout/place-order",
            &checkout_form(&key, "4242 4242 4242 4242"),
        )
        .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let sold_out = too_late
        .post(
            &app,
            "/api/checkout/place-order",
            &checkout_form(&late_key, "4242 4242 4242 4242"),
        )
        .await;
    assert!(sold_out.body.contains("sold out"), "{}", sold_out.body);

    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    let metrics = reply.body;
    assert_eq!(
        sample(&metrics, "stoa_orders_placed_total"),
        1.0,
        "{metrics}"
    );
    assert_eq!(sample(&metrics, "stoa_payment_declines_total"), 1.0);
    assert_eq!(sample(&metrics, "stoa_stock_outs_total"), 1.0);
    assert_eq!(
        sample(
            &metrics,
            "stoa_checkout_failures_total{reason=\"payment_declined\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &metrics,
            "stoa_checkout_failures_total{reason=\"order_refused\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&metrics, "stoa_http_requests_total{method=\"POST\",route=\"/api/checkout/place-order\",status=\"200\"}"),
        1.0
    );
    assert!(metrics.contains("stoa_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/checkout/place-order\""));
    assert!(metrics.contains("stoa_db_pool_connections{state=\"idle\"}"));
    assert!(metrics.contains("stoa_db_pool_connections{state=\"in_use\"}"));
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_age_of_the_newest_backup_is_exported() {
    let app = spawn_app_with(Some(3), None).await;
    let dir = std::env::temp_dir().join(format!("stoa-metric-backups-{}", std::process::id()));
    let url = app.db.url();
    stoa_server::backup::scheduled_backup(&app.db.pool, &url, &dir, &dir.join("no-media"), 3, None)
        .await
        .unwrap();
    stoa_server::backup::record_backup_age(&dir);
    let metrics = app.get("/metrics").await.body;
    assert!(
        metrics.contains("stoa_backup_last_age_seconds "),
        "{metrics}"
    );
    let age = sample(&metrics, "stoa_backup_last_age_seconds");
    assert!((0.0..60.0).contains(&age), "{age}");
    std::fs::remove_dir_all(&dir).ok();
    app.db.drop_database().await;
}
