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
