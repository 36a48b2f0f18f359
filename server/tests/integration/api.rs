//! The integration API (/api/v1) over HTTP against the real router: keys and scopes on
//! every endpoint the OpenAPI document lists, one error shape, rate limits, idempotent
//! stock batches under concurrent retries, order pages that never skip or repeat while
//! orders are placed, and the `stoa api-key` command.

use crate::support::{spawn_app_with, Reply, TestApp};
use app::integrations::keys;
use app::integrations::model::Scope;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use std::sync::Arc;

fn operator() -> app::audit::Actor {
    app::audit::Actor {
        id: 1,
        email: "owner@shop.example".to_owned(),
        client_address: "127.0.0.1".to_owned(),
    }
}

async fn key_with(app: &TestApp, scopes: &[Scope]) -> String {
    keys::create(&app.db.pool, &operator(), "Test ERP", scopes, None)
        .await
        .unwrap()
        .key
}

async fn call_once(
    app: &TestApp,
    uri: &str,
    key: &str,
    idempotency_key: Option<&str>,
    body: &str,
) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(idempotency_key) = idempotency_key {
        request = request.header("idempotency-key", idempotency_key);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap())
        .await
}

async fn call(
    app: &TestApp,
    method: Method,
    uri: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    if body.is_some() {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", "test-key-1");
    }
    app.send(
        request
            .body(Body::from(body.unwrap_or_default().to_owned()))
            .unwrap(),
    )
    .await
}

fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|_| panic!("JSON: {}", reply.body))
}

/// Places a manual-payment order of one `variant` for `email`.
async fn place_one(app: &TestApp, variant: i64, email: &str) {
    let cart = app::cart::repo::create_cart(&app.db.pool).await.unwrap();
    app::cart::repo::add_to_cart(
        &app.db.pool,
        cart,
        variant,
        app::cart::model::Quantity::parse(1).unwrap(),
    )
    .await
    .unwrap();
    app::orders::place::place_order(
        &app.db.pool,
        &app::testing::fixtures::manual_order_request(cart, email),
    )
    .await
    .unwrap();
}

/// Every operation of the served document: method, path (parameters filled) and the scope
/// its security requirement names.
async fn operations(app: &TestApp) -> Vec<(Method, String, Scope)> {
    let document = json(&app.get("/api/v1/openapi.json").await);
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let scope = op["security"][0]["api_key"][0]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} names its scope"));
            found.push((
                method.to_uppercase().parse().unwrap(),
                path.replace("{number}", "ST-1")
                    .replace("{slug}", "no-such-product")
                    .replace("{id}", "1"),
                Scope::parse(scope).unwrap(),
            ));
        }
    }
    found
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_or_bad_key_with_401_and_a_missing_scope_with_403() {
    let app = spawn_app_with(None, None).await;
    let operations = operations(&app).await;
    assert!(operations.len() >= 3, "{operations:?}");
    let revoked = key_with(&app, &Scope::ALL).await;
    keys::revoke(&app.db.pool, &operator(), &revoked[..13])
        .await
        .unwrap();
    let expired = keys::create(&app.db.pool, &operator(), "Old", &Scope::ALL, Some(1))
        .await
        .unwrap()
        .key;
    sqlx::query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE prefix = $1")
        .bind(&expired[..13])
        .execute(&app.db.pool)
        .await
        .unwrap();
    let forged = format!("{}{}", &revoked[..14], "0".repeat(64));
    for (method, path, scope) in &operations {
        let body = [Method::POST, Method::PUT].contains(method).then_some("{}");
        for key in [
            None,
            Some("not-a-key"),
            Some(forged.as_str()),
            Some(revoked.as_str()),
            Some(expired.as_str()),
        ] {
            let reply = call(&app, method.clone(), path, key, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {key:?}: {}",
                reply.body
            );
            assert_eq!(json(&reply)["type"], "unauthorized");
            assert!(reply.headers.contains_key(header::WWW_AUTHENTICATE));
        }
        let others: Vec<Scope> = Scope::ALL.into_iter().filter(|s| s != scope).collect();
        let without = key_with(&app, &others).await;
        let reply = call(&app, method.clone(), path, Some(&without), body).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            reply.body
        );
        assert!(json(&reply)["message"]
            .as_str()
            .unwrap()
            .contains(scope.as_str()));
        let with = key_with(&app, &[*scope]).await;
        let reply = call(&app, method.clone(), path, Some(&with), body).await;
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status)
                && !reply.status.is_server_error(),
            "{method} {path} with its scope: {} {}",
            reply.status,
            reply.body
        );
    }
    let unknown = call(&app, Method::GET, "/api/v1/nothing-here", None, None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&unknown)["type"], "not_found");
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_reference_page_and_the_openapi_document_are_served_without_a_key() {
    let app = spawn_app_with(None, None).await;
    let document = json(&app.get("/api/v1/openapi.json").await);
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(document["paths"]["/api/v1/orders"]["get"].is_object());
    let page = app.get("/api/v1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<code>/api/v1/stock</code>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"schema-ApiOrder\""));
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_stock_batch_retried_concurrently_changes_stock_once_and_answers_the_same() {
    let app = Arc::new(spawn_app_with(None, None).await);
    let first = app.variant_with_stock(10).await;
    let second = app.variant_with_stock(5).await;
    let sku = |id: i64| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT sku FROM product_variants WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (a, b) = (sku(first).await, sku(second).await);
    let key = key_with(&app, &[Scope::StockWrite]).await;
    let body = format!(
        r#"{{"changes":[{{"sku":"{a}","adjust":-3,"reason":"damaged","note":"forklift"}},{{"sku":"{b}","set":40,"reason":"import"}}]}}"#
    );
    let replies = futures_util::future::join_all((0..8).map(|_| {
        let (app, key, body) = (app.clone(), key.clone(), body.clone());
        async move { call(&app, Method::POST, "/api/v1/stock", Some(&key), Some(&body)).await }
    }))
    .await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            reply.body, replies[0].body,
            "every retry gets the first answer"
        );
    }
    assert_eq!(app.stock_of(first).await, 7);
    assert_eq!(app.stock_of(second).await, 40);
    let ledger: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_movements WHERE variant_id = ANY($1) AND reason IN ('damaged', 'import')",
    )
    .bind(vec![first, second])
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(ledger, 2, "one ledger row per change, not per retry");
    let audit = app
        .count(
            "SELECT count(*) FROM audit_log WHERE action = 'stock.api_batch' AND actor_email LIKE 'API key \"Test ERP\"%'",
        )
        .await;
    assert_eq!(audit, 1);

    // The same key with another body is refused; a bad batch changes nothing.
    let reused = call(
        &app,
        Method::POST,
        "/api/v1/stock",
        Some(&key),
        Some(&body.replace("40", "41")),
    )
    .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST, "{}", reused.body);
    let mut request = Request::post("/api/v1/stock")
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", "test-key-2");
    let bad = format!(
        r#"{{"changes":[{{"sku":"{a}","adjust":-100,"reason":"damaged"}},{{"sku":"{b}","set":1,"reason":"import"}},{{"sku":"NO-SUCH","set":1,"reason":"import"}}]}}"#
    );
    request = request.header(header::CONTENT_LENGTH, bad.len());
    let refused = app.send(request.body(Body::from(bad)).unwrap()).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields: Vec<String> = json(&refused)["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["changes.0.adjust", "changes.2.sku"]);
    assert_eq!(app.stock_of(first).await, 7, "nothing changed");
    assert_eq!(app.stock_of(second).await, 40);
    for (bad_body, what) in [
        ("{\"changes\":[],\"extra\":1}", "unknown field"),
        (
            "{\"changes\":[{\"sku\":\"A\",\"set\":\"ten\",\"reason\":\"import\"}]}",
            "wrong type",
        ),
        ("[1, 2", "broken JSON"),
    ] {
        let reply = call(
            &app,
            Method::POST,
            "/api/v1/stock",
            Some(&key),
            Some(bad_body),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.body
        );
        assert_eq!(json(&reply)["type"], "bad_request", "{what}");
    }
    let app = Arc::try_unwrap(app).ok().unwrap();
    app.db.drop_database().await;
}

#[tokio::test]
async fn order_pages_never_skip_or_repeat_an_order_while_orders_are_placed() {
    let app = Arc::new(spawn_app_with(None, None).await);
    let key = key_with(&app, &[Scope::OrdersRead]).await;
    let variant = app.variant_with_stock(10_000).await;
    for _ in 0..5 {
        place_one(&app, variant, "erp@example.com").await;
    }
    // Orders keep arriving, four at a time, while the ERP pages through with 3 per page.
    let placing = {
        let app = app.clone();
        tokio::spawn(async move {
            for _ in 0..10 {
                futures_util::future::join_all(
                    (0..4).map(|_| place_one(&app, variant, "erp@example.com")),
                )
                .await;
            }
        })
    };
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    // Until every order is listed: a list shows a change once every write transaction
    // older than it has finished (other tests' too), so the last ones may come a moment
    // later, never out of order and never twice.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !(placing.is_finished() && seen.len() >= 45) {
        assert!(
            std::time::Instant::now() < deadline,
            "all orders listed in time: {}",
            seen.len()
        );
        let uri = match &cursor {
            Some(cursor) => format!("/api/v1/orders?limit=3&cursor={cursor}"),
            None => "/api/v1/orders?limit=3".to_owned(),
        };
        let page = call(&app, Method::GET, &uri, Some(&key), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let page = json(&page);
        for order in page["orders"].as_array().unwrap() {
            assert_eq!(
                order["lines"][0]["quantity"], 1,
                "orders come with their lines"
            );
            seen.push(order["number"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned).or(cursor);
        if page["orders"].as_array().unwrap().is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    placing.await.unwrap();
    let after = call(
        &app,
        Method::GET,
        &format!("/api/v1/orders?cursor={}", cursor.unwrap()),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(
        json(&after)["orders"],
        serde_json::json!([]),
        "nothing comes twice"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no order twice: {seen:?}");
    assert_eq!(seen.len(), 45, "every order once");

    // One order by number; filters are checked.
    let one = call(
        &app,
        Method::GET,
        &format!("/api/v1/orders/{}", seen[0]),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(json(&one)["email"], "erp@example.com");
    for bad in [
        "status=lost",
        "limit=0",
        "limit=201",
        "cursor=abc",
        "updated_since=yesterday",
        "colour=red",
    ] {
        let reply = call(
            &app,
            Method::GET,
            &format!("/api/v1/orders?{bad}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
    }
    let paid = call(
        &app,
        Method::GET,
        "/api/v1/orders?status=paid",
        Some(&key),
        None,
    )
    .await;
    assert_eq!(
        json(&paid)["orders"],
        serde_json::json!([]),
        "manual orders wait for payment"
    );
    let app = Arc::try_unwrap(app).ok().unwrap();
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_key_over_its_request_rate_gets_429_with_retry_after() {
    // SAFETY: set before the limiter first reads it; each test runs in its own process.
    unsafe { std::env::set_var("STOA_API_REQUESTS_PER_SECOND", "1") };
    let app = spawn_app_with(None, None).await;
    let key = key_with(&app, &[Scope::OrdersRead]).await;
    let statuses: Vec<StatusCode> = futures_util::future::join_all(
        (0..4).map(|_| call(&app, Method::GET, "/api/v1/orders", Some(&key), None)),
    )
    .await
    .into_iter()
    .map(|reply| reply.status)
    .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        2,
        "{statuses:?}"
    );
    let limited = call(&app, Method::GET, "/api/v1/orders", Some(&key), None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json(&limited)["type"], "rate_limited");
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    let other = key_with(&app, &[Scope::OrdersRead]).await;
    assert_eq!(
        call(&app, Method::GET, "/api/v1/orders", Some(&other), None)
            .await
            .status,
        StatusCode::OK,
        "each key has its own limit"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_command_line_prints_a_key_once_lists_it_by_prefix_and_revokes_it() {
    let app = spawn_app_with(None, None).await;
    let url = app.db.url();
    let stoa = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_stoa"))
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let made = stoa(&[
        "api-key",
        "create",
        "--name",
        "Warehouse ERP",
        "--scopes",
        "orders:read,stock:write",
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let key = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("stoa_") && key.len() == 78, "{key}");
    let listed = String::from_utf8(stoa(&["api-key", "list"]).stdout).unwrap();
    assert!(
        listed.contains(&key[..13]) && listed.contains("Warehouse ERP"),
        "{listed}"
    );
    assert!(
        !listed.contains(&key[14..]),
        "the key itself is never shown again"
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/orders", Some(&key), None)
            .await
            .status,
        StatusCode::OK
    );
    let bad_scope = stoa(&[
        "api-key",
        "create",
        "--name",
        "X",
        "--scopes",
        "orders:delete",
    ]);
    assert!(!bad_scope.status.success());
    assert!(String::from_utf8_lossy(&bad_scope.stderr).contains("orders:delete"));
    assert!(stoa(&["api-key", "revoke", &key[..13]]).status.success());
    let after = call(&app, Method::GET, "/api/v1/orders", Some(&key), None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert!(json(&after)["message"]
        .as_str()
        .unwrap()
        .contains("revoked"));
    app.db.drop_database().await;
}

#[tokio::test]
async fn an_erp_confirms_a_shipment_and_reads_the_catalog() {
    let app = spawn_app_with(Some(3), None).await;
    let key = key_with(
        &app,
        &[Scope::OrdersRead, Scope::OrdersWrite, Scope::CatalogRead],
    )
    .await;
    let variant = app.variant_with_stock(5).await;
    let cart = app::cart::repo::create_cart(&app.db.pool).await.unwrap();
    app::cart::repo::add_to_cart(
        &app.db.pool,
        cart,
        variant,
        app::cart::model::Quantity::parse(2).unwrap(),
    )
    .await
    .unwrap();
    let placed = app::orders::place::place_order(
        &app.db.pool,
        &app::testing::fixtures::manual_order_request(cart, "ship@example.com"),
    )
    .await
    .unwrap();
    let number: String = sqlx::query_scalar("SELECT number FROM orders ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let _ = placed;
    let shipment = r#"{"carrier":"DHL","tracking_number":"JD014600003SE"}"#;
    let path = format!("/api/v1/orders/{number}/fulfil");
    // Not paid yet: the state machine refuses, as in the staff area.
    let early = call(&app, Method::POST, &path, Some(&key), Some(shipment)).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{}", early.body);
    sqlx::query("UPDATE orders SET status = 'paid' WHERE number = $1")
        .bind(&number)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let shipped = call(&app, Method::POST, &path, Some(&key), Some(shipment)).await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
    let order = json(&shipped);
    assert_eq!(order["status"], "fulfilled");
    assert_eq!(order["shipment"]["tracking_number"], "JD014600003SE");
    let again = call(&app, Method::POST, &path, Some(&key), Some(shipment)).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a repeat changes nothing: {}",
        again.body
    );
    let emails = app
        .count(
            "SELECT count(*) FROM outbox_emails WHERE recipient = 'ship@example.com' AND kind LIKE '%shipped%'",
        )
        .await;
    assert_eq!(emails, 1, "the shopper is told once");
    let audited = app
        .count(
            "SELECT count(*) FROM audit_log WHERE action = 'order.fulfil' AND actor_email LIKE 'API key%'",
        )
        .await;
    assert_eq!(audited, 1);
    let unknown = call(
        &app,
        Method::POST,
        "/api/v1/orders/ST-0/fulfil",
        Some(&key),
        Some(shipment),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let extra = call(
        &app,
        Method::POST,
        &path,
        Some(&key),
        Some(r#"{"carrier":"DHL","tracking_number":"1","eta":"soon"}"#),
    )
    .await;
    assert_eq!(
        extra.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );

    // Listed once every older write transaction (other tests' too) has finished.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let with_variant = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the product is listed in time"
        );
        let catalog = call(
            &app,
            Method::GET,
            "/api/v1/products?limit=200",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(catalog.status, StatusCode::OK, "{}", catalog.body);
        let found = json(&catalog)["products"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["variants"].as_array().unwrap().clone())
            .find(|v| v["stock"] == 3);
        if let Some(variant) = found {
            break variant;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        with_variant["price_minor"], 2500,
        "the ordered variant, 5 less 2"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_event_feed_gives_every_event_once_in_order_after_downtime() {
    let app = Arc::new(spawn_app_with(None, None).await);
    let key = key_with(&app, &[Scope::OrdersRead]).await;
    let variant = app.variant_with_stock(10_000).await;
    // The ERP reads a few events, then is down while orders keep coming, concurrently.
    for _ in 0..3 {
        place_one(&app, variant, "feed@example.com").await;
    }
    // Events show once every older write transaction (other tests' too) has finished.
    let mut seqs: Vec<i64> = Vec::new();
    let mut last = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while seqs.len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first events in time"
        );
        let page = json(
            &call(
                &app,
                Method::GET,
                &format!("/api/v1/events?after={last}"),
                Some(&key),
                None,
            )
            .await,
        );
        for event in page["events"].as_array().unwrap() {
            seqs.push(event["seq"].as_i64().unwrap());
        }
        last = page["last_seq"].as_i64().unwrap();
        if page["events"].as_array().unwrap().is_empty() {
            // Not numbered yet: poll again within the key's request rate.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    assert_eq!(seqs.len(), 3);
    for _ in 0..6 {
        futures_util::future::join_all(
            (0..5).map(|_| place_one(&app, variant, "feed@example.com")),
        )
        .await;
    }
    // Back up: catch up in pages of 7 until nothing is left.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while seqs.len() < 33 {
        assert!(
            std::time::Instant::now() < deadline,
            "caught up in time: {}",
            seqs.len()
        );
        let page = json(
            &call(
                &app,
                Method::GET,
                &format!("/api/v1/events?after={last}&limit=7"),
                Some(&key),
                None,
            )
            .await,
        );
        for event in page["events"].as_array().unwrap() {
            assert_eq!(event["type"], "order.created");
            seqs.push(event["seq"].as_i64().unwrap());
        }
        last = page["last_seq"].as_i64().unwrap();
        if page["events"].as_array().unwrap().is_empty() {
            // Not numbered yet: poll again within the key's request rate.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    let empty = json(
        &call(
            &app,
            Method::GET,
            &format!("/api/v1/events?after={last}"),
            Some(&key),
            None,
        )
        .await,
    );
    assert_eq!(empty["events"], serde_json::json!([]));
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in order, once: {seqs:?}"
    );
    assert_eq!(seqs.len(), 33, "every order's event");
    // Order events carry the whole order; a cancellation is an event too.
    let created = json(
        &call(
            &app,
            Method::GET,
            "/api/v1/events?after=0&limit=1",
            Some(&key),
            None,
        )
        .await,
    );
    let order = &created["events"][0]["payload"]["order"];
    assert_eq!(order["lines"][0]["quantity"], 1, "{created}");
    assert!(order["lines"][0]["sku"].is_string(), "{created}");
    assert!(
        order["shipping_address"]["country"].is_string(),
        "{created}"
    );
    let first_order: i64 = sqlx::query_scalar("SELECT min(id) FROM orders")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    app::orders::status::transition_order(
        &app.db.pool,
        first_order,
        app::orders::model::OrderStatus::Cancelled,
        "the ERP cancelled it",
    )
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let cancelled = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the cancellation in time"
        );
        let reply = call(
            &app,
            Method::GET,
            &format!("/api/v1/events?after={last}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        if let Some(event) = json(&reply)["events"].as_array().unwrap().first() {
            break event.clone();
        }
        // Polled like an integration would, within the key's request rate.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(cancelled["type"], "order.cancelled");
    assert_eq!(cancelled["payload"]["order"]["status"], "cancelled");
    let catalog_only = key_with(&app, &[Scope::CatalogRead]).await;
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/events",
            Some(&catalog_only),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let app = Arc::try_unwrap(app).ok().unwrap();
    app.db.drop_database().await;
}

#[tokio::test]
async fn customers_are_listed_without_staff_or_secrets() {
    let app = spawn_app_with(None, None).await;
    crate::support::customer_account(&app, "ada@example.com", "plum orchard lantern").await;
    let staff = app::kernel::email::EmailAddress::parse("clerk@shop.example").unwrap();
    app::accounts::repo::create_staff(
        &app.db.pool,
        &staff,
        "",
        app::accounts::model::Role::Staff,
        "staff password 12",
    )
    .await
    .unwrap();
    let key = key_with(&app, &[Scope::CustomersRead]).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let page = loop {
        assert!(std::time::Instant::now() < deadline, "listed in time");
        let reply = call(&app, Method::GET, "/api/v1/customers", Some(&key), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        if reply.body.contains("ada@example.com") {
            break reply;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let customers = json(&page)["customers"].as_array().unwrap().clone();
    assert_eq!(customers.len(), 1, "{}", page.body);
    assert_eq!(customers[0]["confirmed"], true);
    assert_eq!(customers[0]["orders"], 0);
    assert!(
        !page.body.contains("clerk@shop.example"),
        "staff are not customers"
    );
    assert!(!page.body.contains("argon2"), "no password hash");
    app.db.drop_database().await;
}

#[tokio::test]
async fn products_are_created_and_updated_by_slug_and_sku_all_or_nothing_and_published() {
    let app = spawn_app_with(None, None).await;
    app::testing::fixtures::category(&app.db.pool, "shirts", None).await;
    let key = key_with(&app, &[Scope::CatalogRead, Scope::CatalogWrite]).await;
    let linen = r#"{"name":"Linen Shirt","category":"shirts","description":"Cool in summer.",
        "option_names":["Size"],
        "variants":[{"sku":"ls-m","options":["M"],"price_minor":4500,"stock":7},
                    {"sku":"LS-L","options":["L"],"price_minor":4700}]}"#;
    let put = |body: &'static str, slug: &'static str| {
        let app = &app;
        let key = key.clone();
        async move {
            let request = Request::builder()
                .method(Method::PUT)
                .uri(format!("/api/v1/products/{slug}"))
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            app.send(request).await
        }
    };
    let created = put(linen, "linen-shirt").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let product = json(&created);
    assert_eq!(product["category"], "shirts");
    assert_eq!(product["published"], false, "new products start as drafts");
    assert_eq!(
        product["variants"][0]["sku"], "LS-M",
        "SKUs are upper-cased"
    );
    assert_eq!(product["variants"][0]["stock"], 7);
    assert_eq!(product["variants"][1]["stock"], 0);
    assert_eq!(product["variants"][1]["price_minor"], 4700);

    let restocked_elsewhere = "UPDATE product_variants SET stock = 9 WHERE sku = 'LS-L'";
    sqlx::query(restocked_elsewhere)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let renamed = r#"{"name":"Linen Shirt, relaxed","category":"shirts","option_names":["Size"],
        "variants":[{"sku":"LS-L","options":["L"],"price_minor":4900}]}"#;
    let updated = put(renamed, "linen-shirt").await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let product = json(&updated);
    assert_eq!(product["name"], "Linen Shirt, relaxed");
    assert_eq!(product["description"], "Cool in summer.", "left out, kept");
    assert_eq!(
        product["variants"].as_array().unwrap().len(),
        2,
        "LS-M stays"
    );
    assert_eq!(product["variants"][1]["price_minor"], 4900);
    assert_eq!(product["variants"][1]["stock"], 9, "stock left out, kept");

    // All or nothing: one wrong variant and nothing is written; each field is named.
    let stolen_sku = r#"{"name":"Other","category":"shirts","option_names":["Size"],
        "variants":[{"sku":"OT-1","options":["S"],"price_minor":100},
                    {"sku":"LS-M","options":["M"],"price_minor":100}]}"#;
    let refused = put(stolen_sku, "other-shirt").await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields = json(&refused)["fields"].clone();
    assert_eq!(fields[0]["field"], "variants.1.sku", "{fields}");
    assert!(fields[0]["message"]
        .as_str()
        .unwrap()
        .contains("linen-shirt"));
    let no_category =
        r#"{"name":"Other","category":"hats","variants":[{"sku":"OT-1","price_minor":100}]}"#;
    let refused = put(no_category, "other-shirt").await;
    assert_eq!(
        json(&refused)["fields"][0]["field"],
        "category",
        "{}",
        refused.body
    );
    let bad_slug = put(no_category, "Other%20Shirt").await;
    assert_eq!(
        json(&bad_slug)["fields"][0]["field"],
        "slug",
        "{}",
        bad_slug.body
    );
    let unknown_field = r#"{"name":"Other","category":"shirts","colour":"red","variants":[{"sku":"OT-1","price_minor":100}]}"#;
    assert_eq!(
        put(unknown_field, "other-shirt").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.count("SELECT count(*) FROM products WHERE slug = 'other-shirt'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM product_variants WHERE sku = 'OT-1'")
            .await,
        0
    );

    let publish = call_once(&app, "/api/v1/products/linen-shirt/publish", &key, None, "").await;
    assert_eq!(publish.status, StatusCode::OK, "{}", publish.body);
    assert_eq!(json(&publish)["published"], true);
    let storefront = app.get("/product/linen-shirt").await;
    assert_eq!(
        storefront.status,
        StatusCode::OK,
        "published means on the storefront"
    );
    let unpublish = call_once(
        &app,
        "/api/v1/products/linen-shirt/unpublish",
        &key,
        None,
        "",
    )
    .await;
    assert_eq!(json(&unpublish)["published"], false);
    let read = call(
        &app,
        Method::GET,
        "/api/v1/products/linen-shirt",
        Some(&key),
        None,
    )
    .await;
    assert_eq!(json(&read)["name"], "Linen Shirt, relaxed");
    let missing = call(
        &app,
        Method::GET,
        "/api/v1/products/no-such",
        Some(&key),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let audited = app
        .count(
            "SELECT count(*) FROM audit_log WHERE action IN ('product.upsert', 'product.publish', 'product.unpublish')
             AND actor_email LIKE 'API key \"Test ERP\"%'",
        )
        .await;
    assert_eq!(audited, 4, "two writes, a publish and an unpublish");
    let ledger = app
        .count(
            "SELECT count(*) FROM stock_movements l JOIN product_variants v ON v.id = l.variant_id
             WHERE v.sku = 'LS-M' AND l.reason = 'import' AND l.delta = 7",
        )
        .await;
    assert_eq!(
        ledger, 1,
        "the stock a new variant was created with is in the ledger"
    );
    let events = app
        .count("SELECT count(*) FROM webhook_events WHERE event_type = 'product.updated'")
        .await;
    assert_eq!(events, 4, "each change is an event");
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_refund_retried_concurrently_refunds_once_and_a_cancel_returns_the_stock() {
    let app = Arc::new(spawn_app_with(None, None).await);
    let key = key_with(&app, &[Scope::OrdersRead, Scope::OrdersWrite]).await;
    let variant = app.variant_with_stock(5).await;
    place_one(&app, variant, "refund@example.com").await;
    place_one(&app, variant, "cancel@example.com").await;
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM orders ORDER BY id")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orders SET status = 'paid' WHERE number = $1")
        .bind(&numbers[0])
        .execute(&app.db.pool)
        .await
        .unwrap();
    let refund_path = format!("/api/v1/orders/{}/refunds", numbers[0]);
    let body = r#"{"amount_minor":1000,"reason":"Arrived scratched"}"#;
    let retries: Vec<_> = (0..8)
        .map(|_| {
            let (app, key, path) = (app.clone(), key.clone(), refund_path.clone());
            tokio::spawn(async move {
                call_once(&app, &path, &key, Some("refund-ST-scratch"), body).await
            })
        })
        .collect();
    for retry in retries {
        let reply = retry.await.unwrap();
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(json(&reply)["refunded_minor"], 1000, "{}", reply.body);
    }
    let refunds = app.count("SELECT count(*) FROM order_refunds").await;
    assert_eq!(refunds, 1, "eight tries, one refund");
    let order = json(
        &call(
            &app,
            Method::GET,
            &format!("/api/v1/orders/{}", numbers[0]),
            Some(&key),
            None,
        )
        .await,
    );
    assert_eq!(order["refunds"][0]["amount_minor"], 1000);
    assert_eq!(order["refunds"][0]["reason"], "Arrived scratched");

    let too_much = r#"{"amount_minor":999999,"reason":"All of it"}"#;
    let refused = call_once(&app, &refund_path, &key, Some("refund-2"), too_much).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(json(&refused)["fields"][0]["field"], "amount_minor");
    let nothing = r#"{"amount_minor":0,"reason":"Nothing"}"#;
    let refused = call_once(&app, &refund_path, &key, Some("refund-3"), nothing).await;
    assert_eq!(json(&refused)["fields"][0]["field"], "amount_minor");
    let unkeyed = call_once(&app, &refund_path, &key, None, body).await;
    assert_eq!(unkeyed.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT count(*) FROM order_refunds").await, 1);

    let stock_before = app.stock_of(variant).await;
    let cancel_path = format!("/api/v1/orders/{}/cancel", numbers[1]);
    let cancelled = call_once(&app, &cancel_path, &key, None, "").await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(json(&cancelled)["status"], "cancelled");
    assert_eq!(
        app.stock_of(variant).await,
        stock_before + 1,
        "the unit is back"
    );
    let again = call_once(&app, &cancel_path, &key, None, "").await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "cancelling twice changes nothing"
    );
    assert_eq!(app.stock_of(variant).await, stock_before + 1);
    let refund_cancelled = format!("/api/v1/orders/{}/refunds", numbers[1]);
    let refused = call_once(&app, &refund_cancelled, &key, Some("refund-4"), body).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let audited = app
        .count(
            "SELECT count(*) FROM audit_log WHERE action IN ('order.refund', 'order.cancel')
             AND actor_email LIKE 'API key%'",
        )
        .await;
    assert_eq!(audited, 2);
    let app = Arc::try_unwrap(app).ok().unwrap();
    app.db.drop_database().await;
}

#[tokio::test]
async fn one_customer_is_read_by_id_and_staff_are_not_customers() {
    let app = spawn_app_with(None, None).await;
    crate::support::customer_account(&app, "grace@example.com", "plum orchard lantern").await;
    let key = key_with(&app, &[Scope::CustomersRead]).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'grace@example.com'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let reply = call(
        &app,
        Method::GET,
        &format!("/api/v1/customers/{id}"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(json(&reply)["email"], "grace@example.com");
    for missing in ["0", "abc", "99999999"] {
        let reply = call(
            &app,
            Method::GET,
            &format!("/api/v1/customers/{missing}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{missing}: {}",
            reply.body
        );
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn each_key_s_requests_and_errors_are_counted_for_the_integrations_page() {
    let app = spawn_app_with(None, None).await;
    let reader = key_with(&app, &[Scope::OrdersRead]).await;
    let idle = key_with(&app, &[Scope::CatalogRead]).await;
    for _ in 0..3 {
        let reply = call(&app, Method::GET, "/api/v1/orders", Some(&reader), None).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let refused = call(&app, Method::GET, "/api/v1/customers", Some(&reader), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let missing = call(
        &app,
        Method::GET,
        "/api/v1/orders/ST-0",
        Some(&reader),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let anonymous = call(&app, Method::GET, "/api/v1/orders", None, None).await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "counted for no key"
    );
    stoa_server::http::api::usage::write_counted_usage(&app.db.pool)
        .await
        .unwrap();
    stoa_server::http::api::usage::write_counted_usage(&app.db.pool)
        .await
        .unwrap();
    let rows = keys::list(&app.db.pool).await.unwrap();
    let row = |key: &str| {
        rows.iter()
            .find(|r| key.starts_with(&r.prefix))
            .unwrap()
            .clone()
    };
    let used = row(&reader);
    assert_eq!((used.requests_7d, used.errors_7d), (5, 2), "written once");
    assert_eq!(used.use_in_last_week(), "5 requests, 40 % errors");
    assert_eq!(row(&idle).use_in_last_week(), "no requests");
    app.db.drop_database().await;
}
