//! Webhook delivery to a real HTTP receiver on loopback: signed bodies, a retry after a
//! 500 with the same event id, events written only with their change, and two workers
//! that never deliver one event twice.

use app::cart::model::Quantity;
use app::cart::repo::{add_to_cart, create_cart};
use app::orders::model::OrderStatus;
use app::orders::place::place_order;
use app::orders::status::transition_order;
use app::testing::fixtures::{category, manual_order_request, product, variant_ids};
use app::testing::TestDatabase;
use app::webhooks::endpoints::retry_failing;
use app::webhooks::outbox::{add_endpoint, overview};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use stoa_server::jobs::webhooks::{deliver_due, http_client, signature};

const SECRET: &str = "a shared secret of some length";

#[derive(Default)]
struct Receiver {
    received: Mutex<Vec<(HeaderMap, String)>>,
    /// Statuses to answer with, in order; 200 once empty.
    statuses: Mutex<VecDeque<u16>>,
    delay: Option<std::time::Duration>,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    if let Some(delay) = receiver.delay {
        tokio::time::sleep(delay).await;
    }
    receiver.received.lock().unwrap().push((headers, body));
    let status = receiver.statuses.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

/// A receiver listening on loopback; returns its URL.
async fn start_receiver(receiver: Arc<Receiver>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/hook")
}

async fn store(db: &TestDatabase) -> i64 {
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(1500, 100)]).await;
    variant_ids(&db.pool, shirt).await[0]
}

async fn order(
    db: &TestDatabase,
    variant: i64,
    quantity: i64,
) -> Result<app::orders::place::PlacedOrder, app::kernel::error::AppError> {
    let cart = create_cart(&db.pool).await.unwrap();
    add_to_cart(
        &db.pool,
        cart,
        variant,
        Quantity::parse(quantity.min(99)).unwrap(),
    )
    .await?;
    place_order(&db.pool, &manual_order_request(cart, "ada@example.com")).await
}

async fn set_endpoint_active_now(db: &TestDatabase, endpoint: i64, on: bool) {
    sqlx::query("UPDATE webhook_endpoints SET is_active = $2 WHERE id = $1")
        .bind(endpoint)
        .bind(on)
        .execute(&db.pool)
        .await
        .unwrap();
}

async fn count(db: &TestDatabase, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

#[tokio::test]
async fn deliveries_are_signed_and_a_500_is_retried_with_the_same_event_id_also_when_staff_retry_it_now(
) {
    let db = TestDatabase::new().await;
    let variant = store(&db).await;
    let receiver = Arc::new(Receiver::default());
    receiver.statuses.lock().unwrap().push_back(500);
    let url = start_receiver(receiver.clone()).await;
    let events = vec!["order.created".to_owned(), "order.paid".to_owned()];
    let endpoint = add_endpoint(&db.pool, &url, SECRET, &events).await.unwrap();
    let placed = order(&db, variant, 2).await.unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM webhook_deliveries").await,
        1,
        "written with the order"
    );

    let client = http_client();
    assert_eq!(
        deliver_due(&db.pool, &client).await.unwrap(),
        0,
        "the receiver answered 500"
    );
    let (attempts, status, later): (i32, Option<i32>, bool) = sqlx::query_as(
        "SELECT attempts, last_status, next_attempt_at > now() FROM webhook_deliveries",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (attempts, status, later),
        (1, Some(500), true),
        "retried later, not now"
    );
    assert_eq!(
        deliver_due(&db.pool, &client).await.unwrap(),
        0,
        "not due yet"
    );

    let failing = overview(&db.pool).await.unwrap();
    let stats = &failing.endpoints[0];
    assert_eq!(
        (stats.attempts_7d, stats.failed_attempts_7d, stats.failing),
        (1, 1, 1)
    );
    assert!(failing.deliveries[0].failing);
    // Staff have the failed delivery tried now instead of after the backoff.
    let staff = app::audit::Actor {
        id: 1,
        email: "owner@shop.example".to_owned(),
        client_address: "127.0.0.1".to_owned(),
    };
    let delivery = failing.deliveries[0].id;
    set_endpoint_active_now(&db, endpoint, false).await;
    let paused = retry_failing(&db.pool, &staff, endpoint, Some(delivery)).await;
    assert!(paused.is_err(), "a paused endpoint is resumed, not retried");
    set_endpoint_active_now(&db, endpoint, true).await;
    assert_eq!(
        retry_failing(&db.pool, &staff, endpoint, Some(delivery))
            .await
            .unwrap(),
        1
    );
    assert_eq!(deliver_due(&db.pool, &client).await.unwrap(), 1);
    assert_eq!(
        deliver_due(&db.pool, &client).await.unwrap(),
        0,
        "delivered once"
    );
    assert!(
        retry_failing(&db.pool, &staff, endpoint, None)
            .await
            .is_err(),
        "nothing is failing any more"
    );
    let delivered = overview(&db.pool).await.unwrap();
    let stats = &delivered.endpoints[0];
    assert_eq!(
        (stats.attempts_7d, stats.failed_attempts_7d, stats.failing),
        (2, 1, 0),
        "one of two attempts failed"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'webhook.retry'"
        )
        .await,
        1
    );

    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].0["stoa-event-id"], received[1].0["stoa-event-id"],
        "a retry is the same event"
    );
    for (headers, body) in &received {
        let header = headers["stoa-signature"].to_str().unwrap();
        let timestamp: i64 = header
            .trim_start_matches("t=")
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            header,
            signature(SECRET, timestamp, body.as_bytes()),
            "a valid signature"
        );
        assert_ne!(
            header,
            signature("another secret entirely", timestamp, body.as_bytes())
        );
        let event: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["type"], "order.created");
        assert_eq!(event["data"]["number"], placed.number.as_str());
        assert_eq!(event["data"]["total_minor"], 3495);
        assert_eq!(event["id"], headers["stoa-event-id"].to_str().unwrap());
        assert!(
            !body.contains("ada@example.com"),
            "no email in events (a key with orders:read reads it from the API)"
        );
        assert_eq!(event["data"]["order"]["lines"][0]["quantity"], 2, "{body}");
    }

    // Marking the order paid sends order.paid.
    transition_order(
        &db.pool,
        placed.id,
        OrderStatus::Paid,
        "paid by bank transfer",
    )
    .await
    .unwrap();
    assert_eq!(deliver_due(&db.pool, &client).await.unwrap(), 1);
    let last = receiver.received.lock().unwrap().last().unwrap().1.clone();
    assert!(last.contains("\"order.paid\""), "{last}");
    db.drop_database().await;
}

#[tokio::test]
async fn events_exist_only_for_changes_that_committed_and_deliveries_only_for_subscribers() {
    let db = TestDatabase::new().await;
    let variant = store(&db).await;
    order(&db, variant, 1).await.unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM webhook_events").await,
        1,
        "kept for the integration API's event feed"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM webhook_deliveries").await,
        0,
        "nobody subscribed"
    );

    add_endpoint(
        &db.pool,
        "http://127.0.0.1:9/hook",
        SECRET,
        &["order.created".to_owned()],
    )
    .await
    .unwrap();
    sqlx::query("UPDATE product_variants SET stock = 1")
        .execute(&db.pool)
        .await
        .unwrap();
    let cart = create_cart(&db.pool).await.unwrap();
    add_to_cart(&db.pool, cart, variant, Quantity::parse(1).unwrap())
        .await
        .unwrap();
    sqlx::query("UPDATE product_variants SET stock = 0")
        .execute(&db.pool)
        .await
        .unwrap();
    let refused = place_order(&db.pool, &manual_order_request(cart, "ada@example.com")).await;
    assert!(refused.is_err(), "sold out");
    assert_eq!(
        count(&db, "SELECT count(*) FROM webhook_events").await,
        1,
        "no order, no event"
    );

    assert!(
        add_endpoint(&db.pool, "ftp://x", SECRET, &["order.created".to_owned()])
            .await
            .is_err()
    );
    assert!(add_endpoint(
        &db.pool,
        "https://x.example",
        "short",
        &["order.created".to_owned()]
    )
    .await
    .is_err());
    assert!(add_endpoint(
        &db.pool,
        "https://x.example",
        SECRET,
        &["order.eaten".to_owned()]
    )
    .await
    .is_err());
    db.drop_database().await;
}

#[tokio::test]
async fn two_workers_never_deliver_the_same_event_twice() {
    let db = TestDatabase::new().await;
    let variant = store(&db).await;
    let receiver = Arc::new(Receiver {
        delay: Some(std::time::Duration::from_millis(20)),
        ..Receiver::default()
    });
    let url = start_receiver(receiver.clone()).await;
    add_endpoint(&db.pool, &url, SECRET, &["order.created".to_owned()])
        .await
        .unwrap();
    for _ in 0..30 {
        order(&db, variant, 1).await.unwrap();
    }
    let worker = |pool: sqlx::PgPool| {
        tokio::spawn(async move {
            let client = http_client();
            let mut delivered = 0;
            while delivered < 30 {
                let n = deliver_due(&pool, &client).await.unwrap();
                if n == 0 {
                    let left: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL",
                    )
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                    if left == 0 {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                delivered += n;
            }
            delivered
        })
    };
    let (first, second) = tokio::join!(worker(db.pool.clone()), worker(db.pool.clone()));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first + second, 30);
    assert!(
        first > 0 && second > 0,
        "both workers took part: {first} and {second}"
    );
    let received = receiver.received.lock().unwrap().clone();
    let ids: HashSet<String> = received
        .iter()
        .map(|(headers, _)| headers["stoa-event-id"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(received.len(), 30, "30 posts for 30 events");
    assert_eq!(ids.len(), 30, "each event exactly once");
    db.drop_database().await;
}

#[tokio::test]
async fn stock_falling_to_the_low_stock_line_sends_stock_low_once() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(1500, 8)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    add_endpoint(
        &db.pool,
        "http://127.0.0.1:9/hook",
        SECRET,
        &["stock.low".to_owned()],
    )
    .await
    .unwrap();
    order(&db, variant, 2).await.unwrap(); // 8 → 6: above the line
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM webhook_events WHERE event_type = 'stock.low'"
        )
        .await,
        0
    );
    order(&db, variant, 2).await.unwrap(); // 6 → 4: crosses it
    order(&db, variant, 1).await.unwrap(); // 4 → 3: already below
    let payloads: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT payload FROM webhook_events WHERE event_type = 'stock.low'")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0]["stock"], 4);
    assert_eq!(payloads[0]["sku"], "SHIRT-0");
    db.drop_database().await;
}
