//! Cart and checkout over HTTP, through the real router, sessions and database.

use crate::support::{checkout_form, spawn_app_in, spawn_app_with, submit_all_at_once, Shopper};
use axum::http::{header, StatusCode};

const APPROVED: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";

#[tokio::test]
async fn the_cart_lives_in_the_session_and_the_session_cookie_is_locked_down() {
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(5).await;
    let mut shopper = Shopper::default();
    let added = shopper.add_to_cart(&app, variant, 2).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let cookie = added
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("stoa_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http in development: {cookie}"
    );

    let view = shopper.post(&app, "/api/cart/view", "").await;
    assert!(view.body.contains("\"item_count\":2"), "{}", view.body);
    let stranger = Shopper::default().post(&app, "/api/cart/view", "").await;
    assert!(
        stranger.body.contains("\"item_count\":0"),
        "another browser has its own cart"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn bad_cart_input_gets_a_clear_4xx_and_writes_nothing() {
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(3).await;
    let long = "9".repeat(10 * 1024);
    let cases = [
        format!("variant_id={variant}&quantity=0"),
        format!("variant_id={variant}&quantity=-1"),
        format!("variant_id={variant}&quantity=1000000"),
        format!("variant_id={variant}&quantity=abc"),
        format!("variant_id={variant}&quantity={long}"),
        format!("variant_id={variant}&quantity=4"),
        "variant_id=999999&quantity=1".to_owned(),
        "variant_id=abc&quantity=1".to_owned(),
        "quantity=1".to_owned(),
    ];
    let mut shopper = Shopper::default();
    for form in cases {
        let reply = shopper.post(&app, "/api/cart/add", &form).await;
        assert!(
            reply.status.is_client_error(),
            "{form}: {} {}",
            reply.status,
            reply.body
        );
        assert!(!reply.body.is_empty());
    }
    let sold_out = shopper.add_to_cart(&app, variant, 4).await;
    assert!(sold_out.body.contains("Only 3 left"), "{}", sold_out.body);
    assert_eq!(app.count("SELECT count(*) FROM cart_lines").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM carts").await,
        0,
        "no empty cart either"
    );
    app.db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_shoppers_racing_for_twenty_units_buy_exactly_twenty() {
    let app = std::sync::Arc::new(spawn_app_with(None, None).await);
    let variant = app.variant_with_stock(20).await;
    let mut ready = Vec::new();
    for _ in 0..64 {
        let mut shopper = Shopper::default();
        let key = shopper.fill_cart_and_open_checkout(&app, variant, 1).await;
        ready.push((shopper, key));
    }
    let submissions = ready
        .into_iter()
        .map(|(shopper, key)| (shopper, checkout_form(&key, APPROVED)))
        .collect();
    let replies = submit_all_at_once(&app, submissions).await;
    let (mut placed, mut refused) = (0, 0);
    for reply in replies {
        assert!(
            !reply.status.is_server_error(),
            "{} {}",
            reply.status,
            reply.body
        );
        if reply.status.is_success() {
            placed += 1;
        } else {
            assert!(reply.body.contains("sold out"), "{}", reply.body);
            refused += 1;
        }
    }
    assert_eq!((placed, refused), (20, 44));
    assert_eq!(app.stock_of(variant).await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM orders WHERE status = 'paid'")
            .await,
        20
    );
    let app = std::sync::Arc::into_inner(app).expect("all requests finished");
    app.db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_submit_or_a_retry_places_one_order() {
    let app = std::sync::Arc::new(spawn_app_with(None, None).await);
    let variant = app.variant_with_stock(10).await;
    let mut shopper = Shopper::default();
    let key = shopper.fill_cart_and_open_checkout(&app, variant, 2).await;
    let form = checkout_form(&key, APPROVED);
    // Several clicks at once: the later ones may find the cart already emptied by the first.
    let clicks = vec![(shopper.clone(), form.clone()); 6];
    let mut numbers = Vec::new();
    for reply in submit_all_at_once(&app, clicks).await {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        numbers.push(reply.body);
    }
    let retry = shopper.post(&app, "/api/checkout/place-order", &form).await;
    numbers.push(retry.body);
    assert!(
        numbers
            .iter()
            .all(|n| n == &numbers[0] && n.contains("ST-")),
        "{numbers:?}"
    );
    assert_eq!(app.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(app.stock_of(variant).await, 8);
    let app = std::sync::Arc::into_inner(app).expect("all requests finished");
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_declined_card_keeps_the_cart_and_places_nothing() {
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(5).await;
    let mut shopper = Shopper::default();
    let key = shopper.fill_cart_and_open_checkout(&app, variant, 1).await;
    let declined = shopper
        .post(
            &app,
            "/api/checkout/place-order",
            &checkout_form(&key, DECLINED),
        )
        .await;
    assert_eq!(declined.status, StatusCode::BAD_REQUEST);
    assert!(declined.body.contains("declined"), "{}", declined.body);
    assert_eq!(app.count("SELECT count(*) FROM orders").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM cart_lines").await,
        1,
        "the cart is kept"
    );
    assert_eq!(app.stock_of(variant).await, 5);

    let approved = shopper
        .post(
            &app,
            "/api/checkout/place-order",
            &checkout_form(&key, APPROVED),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let stored: (String, String, String) =
        sqlx::query_as("SELECT card_brand, card_last4, payment_reference FROM orders")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((stored.0.as_str(), stored.1.as_str()), ("Visa", "4242"));
    // No column of any table holds the card number.
    let leaked = app
        .count("SELECT count(*) FROM orders o WHERE o::text LIKE '%4242424242424242%' OR o::text LIKE '%4242 4242 4242 4242%'")
        .await;
    assert_eq!(leaked, 0);
    app.db.drop_database().await;
}

#[tokio::test]
async fn bad_checkout_input_gets_a_clear_4xx_and_writes_nothing() {
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(5).await;
    let mut shopper = Shopper::default();
    let key = shopper.fill_cart_and_open_checkout(&app, variant, 1).await;
    let good = checkout_form(&key, APPROVED);
    let long_name = format!("form[name]={}", "A".repeat(10 * 1024));
    let cases = [
        (
            good.replace(
                "form[email]=shopper%40example.com",
                "form[email]=not-an-email",
            ),
            "email address",
        ),
        (
            good.replace("form[postal_code]=SW1A+1AA", "form[postal_code]=12"),
            "postal code",
        ),
        (
            good.replace("form[country]=GB", "form[country]=XX"),
            "country",
        ),
        (
            good.replace("form[name]=Ada+Lovelace", &long_name),
            "at most 100",
        ),
        (
            good.replace(
                "form[shipping_method]=standard",
                "form[shipping_method]=teleport",
            ),
            "shipping",
        ),
        (
            good.replace(
                "form[card_number]=4242+4242+4242+4242",
                "form[card_number]=1234",
            ),
            "Card number",
        ),
        (good.replace(&key, "not-a-key"), "out of date"),
    ];
    for (form, expected) in cases {
        let reply = shopper.post(&app, "/api/checkout/place-order", &form).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{expected}: {}",
            reply.body
        );
        assert!(
            reply.body.to_lowercase().contains(&expected.to_lowercase()),
            "{expected}: {}",
            reply.body
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM orders").await, 0);

    // A price field added by hand changes nothing: prices come from the catalog.
    let tampered = format!("{good}&form[total_minor]=1&form[unit_price_minor]=1");
    let reply = shopper
        .post(&app, "/api/checkout/place-order", &tampered)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        app.count("SELECT total_minor FROM orders").await,
        2500 + 495
    );
    app.db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_holding_two_variants_in_opposite_orders_never_see_a_deadlock() {
    let app = std::sync::Arc::new(spawn_app_with(None, None).await);
    let (a, b) = (
        app.variant_with_stock(100).await,
        app.variant_with_stock(100).await,
    );
    let mut ready = Vec::new();
    for i in 0..24 {
        let mut shopper = Shopper::default();
        let (first, second) = if i % 2 == 0 { (a, b) } else { (b, a) };
        shopper.add_to_cart(&app, first, 1).await;
        let key = shopper.fill_cart_and_open_checkout(&app, second, 1).await;
        ready.push((shopper, key));
    }
    let submissions = ready
        .into_iter()
        .map(|(shopper, key)| (shopper, checkout_form(&key, APPROVED)))
        .collect();
    let replies = submit_all_at_once(&app, submissions).await;
    for reply in replies {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    for variant in [a, b] {
        assert_eq!(app.stock_of(variant).await, 76);
    }
    let app = std::sync::Arc::into_inner(app).expect("all requests finished");
    app.db.drop_database().await;
}

#[tokio::test]
async fn guessing_the_email_of_an_order_is_stopped_after_ten_tries() {
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(5).await;
    let mut buyer = Shopper::default();
    let key = buyer.fill_cart_and_open_checkout(&app, variant, 1).await;
    let number = buyer
        .post(
            &app,
            "/api/checkout/place-order",
            &checkout_form(&key, APPROVED),
        )
        .await
        .body;
    let number = number.trim_matches('"').to_owned();

    let mut guesser = Shopper::default();
    for attempt in 0..10 {
        let reply = guesser
            .post(
                &app,
                "/api/orders/lookup",
                &format!("number={number}&email=guess{attempt}%40example.com"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        assert!(reply
            .body
            .contains("No order matches that number and email"));
    }
    let right_email = guesser
        .post(
            &app,
            "/api/orders/lookup",
            &format!("number={number}&email=shopper%40example.com"),
        )
        .await;
    assert_eq!(
        right_email.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        right_email.body
    );
    assert!(right_email.body.contains("Too many attempts"));
    app.db.drop_database().await;
}

#[tokio::test]
async fn outside_development_the_session_cookie_is_secure_and_host_only() {
    let app = spawn_app_in(None, None, "production").await;
    let variant = app.variant_with_stock(5).await;
    let mut shopper = Shopper::default();
    let added = shopper.add_to_cart(&app, variant, 1).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let cookie = added
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-stoa_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    let view = shopper.post(&app, "/api/cart/view", "").await;
    assert!(
        view.body.contains("\"item_count\":1"),
        "the prefixed cookie keeps the cart: {}",
        view.body
    );
    app.db.drop_database().await;
}

/// A product with two options (Size, Colour) and three variants: S/Navy and M/Olive in
/// stock, M/Navy sold out.
async fn two_option_product(app: &crate::support::TestApp) -> i64 {
    let category: i64 = sqlx::query_scalar("SELECT id FROM categories ORDER BY id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let product: i64 = sqlx::query_scalar(
        "INSERT INTO products (category_id, slug, name, description, currency, option_names, is_published)
         VALUES ($1, 'two-options', 'Two options', '', 'USD', ARRAY['Size', 'Colour'], true) RETURNING id",
    )
    .bind(category)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    for (position, (sku, size, colour, stock)) in [
        ("TWO-S-NAVY", "S", "Navy", 5),
        ("TWO-M-OLIVE", "M", "Olive", 5),
        ("TWO-M-NAVY", "M", "Navy", 0),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock, position)
             VALUES ($1, $2, ARRAY[$3, $4], 1000, $5, $6)",
        )
        .bind(product)
        .bind(sku)
        .bind(size)
        .bind(colour)
        .bind(stock)
        .bind(position as i32)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    product
}

#[tokio::test]
async fn the_cart_gets_the_variant_of_the_chosen_options_and_nothing_for_a_missing_or_sold_out_one()
{
    let app = spawn_app_with(Some(4), None).await;
    let product = two_option_product(&app).await;
    let mut shopper = Shopper::default();
    let added = shopper
        .post(
            &app,
            "/api/cart/add-choice",
            &format!("product_id={product}&o0=M&o1=Olive&quantity=2"),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let lines: Vec<(String, i32)> = sqlx::query_as(
        "SELECT v.sku, l.quantity FROM cart_lines l JOIN product_variants v ON v.id = l.variant_id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(lines, [("TWO-M-OLIVE".to_owned(), 2)]);

    for (options, message) in [
        ("o0=S&o1=Olive", "not available"),
        ("o0=M&o1=Navy", "sold out"),
        ("o0=M", "not available"),
        ("o0=M&o1=Olive&o2=XL", "not available"),
    ] {
        let refused = shopper
            .post(
                &app,
                "/api/cart/add-choice",
                &format!("product_id={product}&{options}&quantity=1"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{options}");
        assert!(
            refused.body.contains("options") && refused.body.contains(message),
            "{options}: {}",
            refused.body
        );
    }
    assert_eq!(
        app.count("SELECT coalesce(sum(quantity), 0)::bigint FROM cart_lines")
            .await,
        2,
        "refused choices add nothing"
    );
    app.db.drop_database().await;
}
