//! `POST /api/vitals`: page-load beacons counted per page type and bucket, read back as
//! 75th percentiles, exposed in `/metrics`; bad beacons refused; one address limited.

use crate::support::{spawn_app_with, Reply, TestApp, STORE_ORIGIN};
use app::vitals::model::{Metric, PageType, Percentile};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};

async fn send_beacon(app: &TestApp, body: impl Into<Body>, from: &str) -> Reply {
    let mut request = Request::post("/api/vitals")
        // What `navigator.sendBeacon` sends with a string body.
        .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8")
        .header(header::ORIGIN, STORE_ORIGIN)
        .body(body.into())
        .unwrap();
    let peer: std::net::SocketAddr = format!("{from}:50000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.send(request).await
}

async fn stored_counts(app: &TestApp) -> i64 {
    app.count("SELECT coalesce(sum(count), 0)::bigint FROM web_vital_counts")
        .await
}

#[tokio::test]
async fn beacons_are_counted_per_page_type_and_read_back_as_p75() {
    let app = spawn_app_with(None, None).await;
    for (lcp, address) in [
        (900, "198.51.100.1"),
        (950, "198.51.100.2"),
        (1000, "198.51.100.3"),
        (3100, "198.51.100.4"),
    ] {
        let body = format!(r#"{{"page":"product","lcp":{lcp}.4,"cls":0.02,"ttfb":120}}"#);
        let reply = send_beacon(&app, body, address).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    }
    let reply = send_beacon(&app, r#"{"page":"cart","inp":350}"#, "198.51.100.5").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    app::vitals::tally::write_counts(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored_counts(&app).await, 4 * 3 + 1);

    let week = app::vitals::tally::figures(&app.db.pool, 7).await.unwrap();
    let pages: Vec<PageType> = week.iter().map(|p| p.page).collect();
    assert_eq!(pages, [PageType::Product, PageType::Cart]);
    let product = &week[0];
    let lcp = product
        .metrics
        .iter()
        .find(|m| m.metric == Metric::Lcp)
        .unwrap();
    assert_eq!(lcp.samples, 4);
    // Three of four loads took at most 1 s: the 75th percentile is the 1 s bucket.
    assert_eq!(lcp.p75, Some(Percentile::AtMost(1000)));
    let inp = product
        .metrics
        .iter()
        .find(|m| m.metric == Metric::Inp)
        .unwrap();
    assert_eq!((inp.samples, inp.p75), (0, None));
    let cart_inp = week[1]
        .metrics
        .iter()
        .find(|m| m.metric == Metric::Inp)
        .unwrap();
    assert_eq!(cart_inp.p75, Some(Percentile::AtMost(400)));

    let metrics = app.get("/metrics").await.body;
    assert!(
        metrics.contains("stoa_web_vital_lcp_seconds_count{page=\"product\"} 4"),
        "{metrics}"
    );
    assert!(
        metrics.contains("stoa_web_vital_inp_seconds_count{page=\"cart\"} 1"),
        "{metrics}"
    );
    // Buckets at the thresholds: three product loads within LCP's "good" 2.5 s.
    assert!(
        metrics.contains("stoa_web_vital_lcp_seconds_bucket{page=\"product\",le=\"2.5\"} 3"),
        "{metrics}"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn bad_beacons_get_a_400_with_the_reason_and_count_nothing() {
    let app = spawn_app_with(None, None).await;
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("not json", b"lcp=1200".to_vec()),
        ("no metric", br#"{"page":"home"}"#.to_vec()),
        ("unknown page", br#"{"page":"admin","lcp":1200}"#.to_vec()),
        ("wrong type", br#"{"page":"home","lcp":"slow"}"#.to_vec()),
        ("negative", br#"{"page":"home","lcp":-1}"#.to_vec()),
        ("too large", br#"{"page":"home","ttfb":99999999}"#.to_vec()),
        (
            "extra field",
            br#"{"page":"home","lcp":1,"email":"a@b.c"}"#.to_vec(),
        ),
        ("nul", b"{\"page\":\"ho\0me\",\"lcp\":1}".to_vec()),
        (
            "invalid utf-8",
            b"{\"page\":\"\xff\xfe\",\"lcp\":1}".to_vec(),
        ),
        ("huge body", vec![b' '; 4096]),
    ];
    for (index, (what, body)) in bad.into_iter().enumerate() {
        let reply = send_beacon(&app, body, &format!("198.51.100.{}", index + 1)).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.body
        );
        assert!(!reply.body.is_empty(), "{what} says why");
    }
    let reply = send_beacon(&app, r#"{"page":"home","lcp":"slow"}"#, "198.51.100.99").await;
    assert!(reply.body.contains("lcp"), "{}", reply.body);
    app::vitals::tally::write_counts(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored_counts(&app).await, 0);
    app.db.drop_database().await;
}

#[tokio::test]
async fn one_address_sending_too_many_beacons_gets_429_and_others_still_get_through() {
    let app = spawn_app_with(None, None).await;
    let beacon = r#"{"page":"home","lcp":800}"#;
    for _ in 0..stoa_server::http::vitals::BEACONS_PER_WINDOW {
        let reply = send_beacon(&app, beacon, "203.0.113.9").await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
    }
    let refused = send_beacon(&app, beacon, "203.0.113.9").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let other = send_beacon(&app, beacon, "203.0.113.10").await;
    assert_eq!(other.status, StatusCode::NO_CONTENT);
    app::vitals::tally::write_counts(&app.db.pool)
        .await
        .unwrap();
    let limit = i64::from(stoa_server::http::vitals::BEACONS_PER_WINDOW);
    assert_eq!(stored_counts(&app).await, limit + 1);
    app.db.drop_database().await;
}

#[tokio::test]
async fn counts_older_than_ninety_days_are_deleted_when_new_ones_are_written() {
    let app = spawn_app_with(None, None).await;
    sqlx::query(
        "INSERT INTO web_vital_counts (day, page_type, metric, bucket, count)
         VALUES (current_date - 91, 'home', 'lcp', 3, 7), (current_date - 89, 'home', 'lcp', 3, 5)",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let reply = send_beacon(&app, r#"{"page":"home","lcp":80}"#, "198.51.100.1").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    app::vitals::tally::write_counts(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored_counts(&app).await, 5 + 1);
    let month = app::vitals::tally::figures(&app.db.pool, 30).await.unwrap();
    let lcp = &month[0].metrics[0];
    assert_eq!((lcp.metric, lcp.samples), (Metric::Lcp, 1));
    app.db.drop_database().await;
}
