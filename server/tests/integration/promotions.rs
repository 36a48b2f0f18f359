//! Discount codes and the promotions' staff routes over HTTP: a bad code gets a 4xx with
//! the reason and changes nothing, a good one shows in the cart with its discount, and the
//! codes export is for admins only.

use crate::support::{spawn_app_with, Shopper};
use axum::http::StatusCode;

async fn promotion_with_code(pool: &sqlx::PgPool, code: &str) -> i64 {
    let form = app::promotions::model::PromotionForm {
        name: "Ten off".into(),
        kind: "amount_off".into(),
        amount: "10.00".into(),
        trigger: "code".into(),
        ..Default::default()
    };
    let actor = app::testing::fixtures::staff_actor();
    let id = app::promotions::manage::save(pool, &actor, None, &form)
        .await
        .unwrap();
    let code = app::promotions::model::CodeForm {
        promotion_id: id,
        code: code.into(),
        max_uses: String::new(),
    };
    app::promotions::manage::add_code(pool, &actor, &code)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_bad_code_gets_a_4xx_with_the_reason_and_a_good_one_shows_in_the_cart() {
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(5).await;
    promotion_with_code(&app.db.pool, "TENOFF").await;
    let mut shopper = Shopper::default();
    let added = shopper.add_to_cart(&app, variant, 2).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let long = "A".repeat(10 * 1024);
    for (code, expected) in [
        ("nope", "There is no discount code NOPE."),
        (long.as_str(), "Discount codes are 3 to 40"),
        ("TEN%00OFF", "NUL character"),
        ("", "Discount codes are 3 to 40"),
    ] {
        let reply = shopper
            .post(&app, "/api/cart/discount-code", &format!("code={code}"))
            .await;
        assert!(
            reply.status.is_client_error(),
            "{code:.20}: {} {}",
            reply.status,
            reply.body
        );
        assert!(reply.body.contains(expected), "{code:.20}: {}", reply.body);
    }
    let missing = shopper.post(&app, "/api/cart/discount-code", "").await;
    assert!(missing.status.is_client_error(), "{}", missing.body);
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM carts WHERE promotion_code IS NOT NULL")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(kept, 0, "a refused code is not kept");

    let applied = shopper
        .post(&app, "/api/cart/discount-code", "code=tenoff")
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert!(
        applied.body.contains("\"code\":\"TENOFF\""),
        "{}",
        applied.body
    );
    assert!(
        applied.body.contains("\"amount_minor\":1000"),
        "{}",
        applied.body
    );
    let removed = shopper
        .post(&app, "/api/cart/discount-code/remove", "")
        .await;
    assert!(
        removed.body.contains("\"discounts\":[]"),
        "{}",
        removed.body
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_codes_export_is_for_admins_only() {
    let app = spawn_app_with(None, None).await;
    let id = promotion_with_code(&app.db.pool, "TENOFF").await;
    let mut anonymous = Shopper::default();
    let reply = anonymous
        .get(&app, &format!("/admin/promotions/{id}/codes.csv"))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    app.db.drop_database().await;
}

#[tokio::test]
async fn an_order_placed_with_a_code_shows_its_discount_at_checkout_and_in_the_api() {
    use app::integrations::model::Scope;
    let app = spawn_app_with(None, None).await;
    let variant = app.variant_with_stock(10).await;
    promotion_with_code(&app.db.pool, "TENOFF").await;
    let mut shopper = Shopper::default();
    shopper.add_to_cart(&app, variant, 2).await;
    let applied = shopper
        .post(&app, "/api/cart/discount-code", "code=TenOff")
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let page = shopper.post(&app, "/api/checkout/page", "").await;
    let page: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    let quote = &page["shipping"]["quotes"][0];
    assert_eq!(quote["discounts"][0]["name"], "Ten off");
    assert_eq!(quote["totals"]["discount_minor"], 1000);
    let key = page["idempotency_key"].as_str().unwrap().to_owned();
    let placed = shopper
        .post(
            &app,
            "/api/checkout/place-order",
            &crate::support::checkout_form(&key, "4242 4242 4242 4242"),
        )
        .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let number = placed.body.trim_matches('"').to_owned();

    let operator = app::testing::fixtures::staff_actor();
    let api_key =
        app::integrations::keys::create(&app.db.pool, &operator, "ERP", &[Scope::OrdersRead], None)
            .await
            .unwrap()
            .key;
    let request = axum::http::Request::builder()
        .uri(format!("/api/v1/orders/{number}"))
        .header(
            axum::http::header::AUTHORIZATION,
            format!("Bearer {api_key}"),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let order: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(order["discount_minor"], 1000);
    assert_eq!(order["discounts"][0]["code"], "TENOFF");
    let lines_off: i64 = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["discount_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(lines_off, 1000);
    let adds_up = order["subtotal_minor"].as_i64().unwrap() - 1000
        + order["shipping_minor"].as_i64().unwrap()
        + order["tax_minor"].as_i64().unwrap();
    assert_eq!(order["total_minor"].as_i64().unwrap(), adds_up, "{order}");
    app.db.drop_database().await;
}
