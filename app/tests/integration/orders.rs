//! Carts and orders on a real PostgreSQL: stock is never oversold, orders are never lost
//! or duplicated, and a failure half-way leaves nothing behind.

use app::cart::model::Quantity;
use app::cart::repo::{
    add_to_cart, cart_contents, create_cart, delete_abandoned_carts, set_quantity,
};
use app::kernel::db::connect;
use app::kernel::error::AppError;
use app::kernel::money::{CurrencyCode, Money};
use app::orders::model::OrderStatus;
use app::orders::place::{place_order, OrderRequest, PlacedOrder, Placement};
use app::orders::status::transition_order;
use app::testing::fixtures::{category, manual_order_request, product, stock_of, variant_ids};
use app::testing::TestDatabase;
use sqlx::PgPool;
use uuid::Uuid;

fn usd(minor: i64) -> Money {
    Money::new(minor, CurrencyCode::parse("USD").unwrap())
}

fn qty(n: i64) -> Quantity {
    Quantity::parse(n).unwrap()
}

fn request_for(cart_id: Uuid) -> OrderRequest {
    manual_order_request(cart_id, "shopper@example.com")
}

/// A store with one product whose variants have these (price, stock) pairs.
async fn store_with(db: &TestDatabase, variants: &[(i64, i32)]) -> Vec<i64> {
    let tops = category(&db.pool, "tops", None).await;
    let id = product(&db.pool, tops, "linen-shirt", "Linen Shirt", "", variants).await;
    variant_ids(&db.pool, id).await
}

/// A pool wide enough for real concurrency (the default test pool has 5 connections).
async fn wide_pool(db: &TestDatabase) -> PgPool {
    connect(db.options.clone(), 24).await.unwrap()
}

/// Places every request at the same moment; the results come back in the same order.
async fn place_all_at_once(
    pool: &PgPool,
    requests: Vec<OrderRequest>,
) -> Vec<Result<PlacedOrder, AppError>> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let pool = pool.clone();
            tokio::spawn(async move { place_order(&pool, &request).await })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("the placing task finished"));
    }
    results
}

async fn cart_holding(pool: &PgPool, lines: &[(i64, i64)]) -> Uuid {
    let cart = create_cart(pool).await.unwrap();
    for (variant, quantity) in lines {
        add_to_cart(pool, cart, *variant, qty(*quantity))
            .await
            .unwrap();
    }
    cart
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn checkout_never_sells_more_than_stock() {
    let db = TestDatabase::new().await;
    let variant = store_with(&db, &[(2500, 20)]).await[0];
    let pool = wide_pool(&db).await;
    let mut carts = Vec::new();
    for _ in 0..64 {
        carts.push(cart_holding(&pool, &[(variant, 1)]).await);
    }
    let results = place_all_at_once(&pool, carts.into_iter().map(request_for).collect()).await;
    let (mut placed, mut sold_out) = (0, 0);
    for result in results {
        match result {
            Ok(_) => placed += 1,
            Err(AppError::InvalidInput(message)) if message.contains("sold out") => sold_out += 1,
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((placed, sold_out), (20, 44));
    assert_eq!(stock_of(&pool, variant).await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 20);
    assert_eq!(
        count(
            &pool,
            "SELECT coalesce(sum(quantity), 0)::bigint FROM order_lines"
        )
        .await,
        20
    );
    pool.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn carts_holding_the_same_variants_in_opposite_orders_never_deadlock() {
    let db = TestDatabase::new().await;
    let ids = store_with(&db, &[(1000, 100), (1200, 100)]).await;
    let (a, b) = (ids[0], ids[1]);
    let pool = wide_pool(&db).await;
    let mut carts = Vec::new();
    for i in 0..40 {
        let lines = if i % 2 == 0 {
            [(a, 1), (b, 1)]
        } else {
            [(b, 1), (a, 1)]
        };
        carts.push(cart_holding(&pool, &lines).await);
    }
    let results = place_all_at_once(&pool, carts.into_iter().map(request_for).collect()).await;
    for result in results {
        assert!(
            result.is_ok(),
            "every order fits the stock and none may fail: {result:?}"
        );
    }
    assert_eq!(
        (stock_of(&pool, a).await, stock_of(&pool, b).await),
        (60, 60)
    );
    pool.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn the_same_place_order_request_twice_gives_one_order() {
    let db = TestDatabase::new().await;
    let variant = store_with(&db, &[(2500, 10)]).await[0];
    let pool = wide_pool(&db).await;

    // One after the other: a refresh or a retried request.
    let cart = cart_holding(&pool, &[(variant, 2)]).await;
    let request = request_for(cart);
    let first = place_order(&pool, &request).await.unwrap();
    let again = place_order(&pool, &request).await.unwrap();
    assert_eq!((again.id, &again.number), (first.id, &first.number));
    assert_eq!(
        (first.placement, again.placement),
        (Placement::New, Placement::AlreadyPlaced)
    );

    // At the same time: a double click.
    let cart = cart_holding(&pool, &[(variant, 3)]).await;
    let request = request_for(cart);
    let results: Vec<PlacedOrder> = place_all_at_once(&pool, vec![request.clone(); 8])
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(
        results.iter().all(|r| r.id == results[0].id),
        "all attempts see one order"
    );
    assert_eq!(
        results
            .iter()
            .filter(|r| r.placement == Placement::New)
            .count(),
        1
    );

    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 2);
    assert_eq!(stock_of(&pool, variant).await, 10 - 2 - 3);

    // The key belongs to its cart: reusing it for another cart is refused.
    let other = cart_holding(&pool, &[(variant, 1)]).await;
    let stolen = OrderRequest {
        cart_id: other,
        ..request
    };
    assert!(matches!(
        place_order(&pool, &stolen).await,
        Err(AppError::InvalidInput(_))
    ));
    pool.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn a_failure_between_taking_stock_and_storing_the_order_changes_nothing() {
    let db = TestDatabase::new().await;
    let variant = store_with(&db, &[(2500, 5)]).await[0];
    let cart = cart_holding(&db.pool, &[(variant, 2)]).await;
    // Inject the failure in the database itself, at the order insert that follows the
    // stock decrement.
    sqlx::raw_sql(
        "CREATE FUNCTION fail_order_insert() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
         CREATE TRIGGER fail_order_insert BEFORE INSERT ON orders
           FOR EACH ROW EXECUTE FUNCTION fail_order_insert();",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let request = request_for(cart);
    assert_eq!(
        place_order(&db.pool, &request).await,
        Err(AppError::Internal)
    );
    assert_eq!(stock_of(&db.pool, variant).await, 5, "stock unchanged");
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM orders").await,
        0,
        "no order"
    );
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM outbox_emails").await,
        0,
        "no email"
    );
    assert_eq!(
        cart_contents(&db.pool, cart).await.unwrap().len(),
        1,
        "cart intact"
    );

    sqlx::query("DROP TRIGGER fail_order_insert ON orders")
        .execute(&db.pool)
        .await
        .unwrap();
    let placed = place_order(&db.pool, &request).await.unwrap();
    assert!(placed.number.starts_with("ST-"));
    let (recipient, subject, body): (String, String, String) = sqlx::query_as(
        "SELECT recipient, subject, body_text FROM outbox_emails WHERE order_id = $1",
    )
    .bind(placed.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(recipient, "shopper@example.com");
    assert_eq!(subject, format!("Your order {}", placed.number));
    assert!(
        body.contains("2 × Linen Shirt") && body.contains("Total: $54.95"),
        "{body}"
    );
    assert!(body.contains("https://shop.example/order-status"));
    assert_eq!(stock_of(&db.pool, variant).await, 3);
    assert!(
        cart_contents(&db.pool, cart).await.unwrap().is_empty(),
        "placed order empties the cart"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn an_order_keeps_the_names_and_prices_of_the_moment_it_was_placed() {
    let db = TestDatabase::new().await;
    let ids = store_with(&db, &[(2500, 5), (3000, 5)]).await;
    let cart = cart_holding(&db.pool, &[(ids[0], 2), (ids[1], 1)]).await;
    let placed = place_order(&db.pool, &request_for(cart)).await.unwrap();
    assert_eq!(
        placed.total,
        usd(2 * 2500 + 3000),
        "8000 reaches the 75.00 free-shipping threshold"
    );
    sqlx::query("UPDATE product_variants SET price_minor = price_minor * 2")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE products SET name = 'Renamed'")
        .execute(&db.pool)
        .await
        .unwrap();
    let lines: Vec<(String, i64, i32)> = sqlx::query_as(
        "SELECT product_name, unit_price_minor, quantity FROM order_lines WHERE order_id = $1 ORDER BY variant_id",
    )
    .bind(placed.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        lines,
        [
            ("Linen Shirt".to_owned(), 2500, 2),
            ("Linen Shirt".to_owned(), 3000, 1)
        ]
    );
    db.drop_database().await;
}

#[tokio::test]
async fn cancelling_returns_stock_and_every_transition_is_recorded() {
    let db = TestDatabase::new().await;
    let variant = store_with(&db, &[(2500, 5)]).await[0];
    let cart = cart_holding(&db.pool, &[(variant, 2)]).await;
    let order = place_order(&db.pool, &request_for(cart)).await.unwrap();
    assert_eq!(stock_of(&db.pool, variant).await, 3);

    assert_eq!(
        transition_order(&db.pool, order.id, OrderStatus::Paid, "card captured").await,
        Ok(OrderStatus::Paid)
    );
    assert_eq!(
        transition_order(&db.pool, order.id, OrderStatus::Paid, "retry").await,
        Ok(OrderStatus::Paid),
        "repeat is a no-op"
    );
    assert_eq!(
        transition_order(&db.pool, order.id, OrderStatus::Cancelled, "customer asked").await,
        Ok(OrderStatus::Cancelled)
    );
    assert_eq!(
        stock_of(&db.pool, variant).await,
        5,
        "cancelling put the units back"
    );
    assert!(matches!(
        transition_order(&db.pool, order.id, OrderStatus::Paid, "").await,
        Err(AppError::InvalidInput(_))
    ));
    assert_eq!(stock_of(&db.pool, variant).await, 5);
    assert!(matches!(
        transition_order(&db.pool, 999_999, OrderStatus::Paid, "").await,
        Err(AppError::NotFound(_))
    ));

    let history: Vec<(Option<OrderStatus>, OrderStatus)> = sqlx::query_as(
        "SELECT from_status, to_status FROM order_transitions WHERE order_id = $1 ORDER BY at, id",
    )
    .bind(order.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        history,
        [
            (None, OrderStatus::PendingPayment),
            (Some(OrderStatus::PendingPayment), OrderStatus::Paid),
            (Some(OrderStatus::Paid), OrderStatus::Cancelled),
        ]
    );
    db.drop_database().await;
}

#[tokio::test]
async fn cart_changes_are_checked_against_stock_and_prices_are_read_live() {
    let db = TestDatabase::new().await;
    let ids = store_with(&db, &[(2500, 3)]).await;
    let variant = ids[0];
    let cart = create_cart(&db.pool).await.unwrap();
    add_to_cart(&db.pool, cart, variant, qty(2)).await.unwrap();
    assert_eq!(
        add_to_cart(&db.pool, cart, variant, qty(2)).await,
        Err(AppError::invalid("Only 3 left."))
    );
    assert_eq!(
        set_quantity(&db.pool, cart, variant, qty(4)).await,
        Err(AppError::invalid("Only 3 left."))
    );
    set_quantity(&db.pool, cart, variant, qty(3)).await.unwrap();
    assert!(matches!(
        add_to_cart(&db.pool, cart, 999_999, qty(1)).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        add_to_cart(&db.pool, Uuid::new_v4(), variant, qty(1)).await,
        Err(AppError::NotFound(_))
    ));

    sqlx::query("UPDATE product_variants SET price_minor = 1999 WHERE id = $1")
        .bind(variant)
        .execute(&db.pool)
        .await
        .unwrap();
    let lines = cart_contents(&db.pool, cart).await.unwrap();
    assert_eq!(
        (
            lines[0].quantity,
            lines[0].unit_price.clone(),
            lines[0].line_total.clone()
        ),
        (3, usd(1999), usd(5997))
    );

    sqlx::query("UPDATE products SET is_published = false")
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(matches!(
        set_quantity(&db.pool, cart, variant, qty(1)).await,
        Err(AppError::NotFound(_))
    ));
    let placed = place_order(&db.pool, &request_for(cart)).await;
    assert!(matches!(placed, Err(AppError::InvalidInput(m)) if m.contains("no longer sold")));
    assert_eq!(stock_of(&db.pool, variant).await, 3);
    db.drop_database().await;
}

#[tokio::test]
async fn totals_include_shipping_and_the_category_tax_rate() {
    let db = TestDatabase::new().await;
    let clothing = category(&db.pool, "clothing", None).await;
    let tops = category(&db.pool, "tops", Some(clothing)).await;
    let id = product(
        &db.pool,
        tops,
        "linen-shirt",
        "Linen Shirt",
        "",
        &[(1000, 10)],
    )
    .await;
    let variant = variant_ids(&db.pool, id).await[0];
    // 8 % by default, 5 % for clothing and everything below it; tax added at checkout.
    sqlx::query("UPDATE store_settings SET prices_include_tax = false")
        .execute(&db.pool)
        .await
        .unwrap();
    app::testing::fixtures::tax_rate(&db.pool, "Standard", 800).await;
    let reduced = app::testing::fixtures::tax_rate(&db.pool, "Clothing", 500).await;
    sqlx::query("UPDATE categories SET tax_category_id = $2 WHERE id = $1")
        .bind(clothing)
        .bind(reduced)
        .execute(&db.pool)
        .await
        .unwrap();

    let cart = cart_holding(&db.pool, &[(variant, 3)]).await;
    let placed = place_order(&db.pool, &request_for(cart)).await.unwrap();
    // 30.00 + 4.95 shipping + 5 % of 30.00
    assert_eq!(placed.total, usd(3000 + 495 + 150));
    let (tax, rate): (i64, i32) =
        sqlx::query_as("SELECT tax_minor, tax_rate_bp FROM order_lines WHERE order_id = $1")
            .bind(placed.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((tax, rate), (150, 500));

    // A total that no longer matches what the shopper authorized is refused, and nothing changes.
    let cart = cart_holding(&db.pool, &[(variant, 1)]).await;
    let stale = OrderRequest {
        expected_total_minor: Some(1),
        ..request_for(cart)
    };
    assert!(
        matches!(place_order(&db.pool, &stale).await, Err(AppError::InvalidInput(m)) if m.contains("Prices changed"))
    );
    assert_eq!(stock_of(&db.pool, variant).await, 7);
    let express = OrderRequest {
        shipping_method: "teleport".into(),
        ..request_for(cart)
    };
    assert!(matches!(
        place_order(&db.pool, &express).await,
        Err(AppError::InvalidInput(_))
    ));
    db.drop_database().await;
}

#[tokio::test]
async fn abandoned_carts_are_deleted_and_orders_keep_everything() {
    let db = TestDatabase::new().await;
    let variant = store_with(&db, &[(2500, 10)]).await[0];
    let ordered = cart_holding(&db.pool, &[(variant, 1)]).await;
    let placed = place_order(&db.pool, &request_for(ordered)).await.unwrap();
    let abandoned = cart_holding(&db.pool, &[(variant, 2)]).await;
    let fresh = cart_holding(&db.pool, &[(variant, 1)]).await;
    sqlx::query("UPDATE carts SET updated_at = now() - interval '31 days' WHERE id = ANY($1)")
        .bind(vec![ordered, abandoned])
        .execute(&db.pool)
        .await
        .unwrap();

    assert_eq!(delete_abandoned_carts(&db.pool, 30).await.unwrap(), 2);
    assert!(cart_contents(&db.pool, abandoned).await.unwrap().is_empty());
    assert_eq!(
        cart_contents(&db.pool, fresh).await.unwrap().len(),
        1,
        "recent carts stay"
    );
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM order_lines WHERE order_id = $1")
        .bind(placed.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(lines, 1, "the order is untouched");
    assert_eq!(
        stock_of(&db.pool, variant).await,
        9,
        "deleting a cart gives back nothing it never took"
    );
    db.drop_database().await;
}
