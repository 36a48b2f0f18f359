//! Promotions and discount codes on a real PostgreSQL: usage limits hold when hundreds of
//! shoppers race for a code, a cancelled order gives its use back, per-customer limits
//! count guests by email, each discount is recorded per line, codes are refused with the
//! reason, and bad staff input writes nothing.

use app::cart::discounts::apply_code;
use app::cart::model::Quantity;
use app::cart::repo::{add_to_cart, cart_contents, create_cart};
use app::kernel::db::connect;
use app::kernel::error::AppError;
use app::orders::model::OrderStatus;
use app::orders::place::{place_order, PlacedOrder};
use app::orders::status::transition_order;
use app::promotions::manage::{add_code, generate_codes, save, switch, Switch};
use app::promotions::model::{CodeBatchForm, CodeForm, PromotionForm};
use app::testing::fixtures::{
    category, manual_order_request, product, staff_actor, stock_of, variant_ids,
};
use app::testing::TestDatabase;
use sqlx::PgPool;
use uuid::Uuid;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn code_promotion(name: &str, percent: &str) -> PromotionForm {
    PromotionForm {
        name: name.into(),
        kind: "percent_off".into(),
        percent: percent.into(),
        trigger: "code".into(),
        ..Default::default()
    }
}

/// A promotion with one code, as staff make them.
async fn promotion_with_code(pool: &PgPool, form: PromotionForm, code: &str) -> i64 {
    let id = save(pool, &staff_actor(), None, &form).await.unwrap();
    let code_form = CodeForm {
        promotion_id: id,
        code: code.into(),
        max_uses: String::new(),
    };
    add_code(pool, &staff_actor(), &code_form).await.unwrap();
    id
}

/// One product in "tops" with a variant at `price` and plenty of stock.
async fn shirt(pool: &PgPool, price: i64) -> i64 {
    let tops = category(pool, "tops", None).await;
    let id = product(
        pool,
        tops,
        "linen-shirt",
        "Linen Shirt",
        "",
        &[(price, 1000)],
    )
    .await;
    variant_ids(pool, id).await[0]
}

async fn cart_with(pool: &PgPool, variant: i64, quantity: i64) -> Uuid {
    let cart = create_cart(pool).await.unwrap();
    add_to_cart(pool, cart, variant, Quantity::parse(quantity).unwrap())
        .await
        .unwrap();
    cart
}

async fn enter_code(pool: &PgPool, cart: Uuid, code: &str) -> Result<(), AppError> {
    let lines = cart_contents(pool, cart).await.unwrap();
    apply_code(pool, cart, &lines, code).await
}

async fn place(pool: &PgPool, cart: Uuid, email: &str) -> Result<PlacedOrder, AppError> {
    place_order(pool, &manual_order_request(cart, email)).await
}

fn code_message(error: AppError) -> String {
    match error {
        AppError::InvalidFields(errors) => {
            assert_eq!(errors[0].field, "code");
            errors[0].message.clone()
        }
        other => panic!("expected a message on the code, got {other:?}"),
    }
}

#[tokio::test]
async fn two_hundred_shoppers_racing_for_a_code_limited_to_fifty_uses_give_exactly_fifty_orders() {
    let db = TestDatabase::new().await;
    let pool = connect(db.options.clone(), 24).await.unwrap();
    let variant = shirt(&pool, 2000).await;
    let form = PromotionForm {
        usage_limit: "50".into(),
        ..code_promotion("Launch", "10")
    };
    promotion_with_code(&pool, form, "LAUNCH").await;
    let mut carts = Vec::new();
    for _ in 0..200 {
        let cart = cart_with(&pool, variant, 1).await;
        enter_code(&pool, cart, "launch").await.unwrap();
        carts.push(cart);
    }
    let tasks: Vec<_> = carts
        .into_iter()
        .enumerate()
        .map(|(index, cart)| {
            let pool = pool.clone();
            tokio::spawn(
                async move { place(&pool, cart, &format!("shopper{index}@example.com")).await },
            )
        })
        .collect();
    let (mut placed, mut used_up) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(order) => {
                assert_eq!(
                    order.total.minor_units,
                    1800 + 495,
                    "10 % off, then shipping"
                );
                placed += 1;
            }
            // Refused under the lock, or, once 50 had committed, when reading the code.
            Err(AppError::InvalidInput(message)) if message.contains("used up") => used_up += 1,
            Err(error @ AppError::InvalidFields(_))
                if code_message(error.clone()).contains("used up") =>
            {
                used_up += 1
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((placed, used_up), (50, 150));
    assert_eq!(count(&pool, "SELECT count(*) FROM orders").await, 50);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM order_discounts").await,
        50
    );
    assert_eq!(
        stock_of(&pool, variant).await,
        950,
        "refused orders took no stock"
    );
    pool.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn a_cancelled_order_gives_its_use_back() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let variant = shirt(pool, 2000).await;
    let form = PromotionForm {
        usage_limit: "1".into(),
        ..code_promotion("One only", "50")
    };
    promotion_with_code(pool, form, "ONCE").await;
    let first = cart_with(pool, variant, 1).await;
    enter_code(pool, first, "ONCE").await.unwrap();
    let placed = place(pool, first, "a@example.com").await.unwrap();
    let second = cart_with(pool, variant, 1).await;
    assert_eq!(
        code_message(enter_code(pool, second, "once").await.unwrap_err()),
        "ONCE has been used up."
    );
    transition_order(pool, placed.id, OrderStatus::Cancelled, "test")
        .await
        .unwrap();
    enter_code(pool, second, "once").await.unwrap();
    let again = place(pool, second, "b@example.com").await.unwrap();
    assert_eq!(again.total.minor_units, 1000 + 495);
    db.drop_database().await;
}

#[tokio::test]
async fn a_per_customer_limit_counts_a_guest_by_email_in_any_case() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let variant = shirt(pool, 2000).await;
    let form = PromotionForm {
        per_customer_limit: "1".into(),
        ..code_promotion("Welcome", "10")
    };
    promotion_with_code(pool, form, "WELCOME").await;
    let first = cart_with(pool, variant, 1).await;
    enter_code(pool, first, "welcome").await.unwrap();
    place(pool, first, "ada@example.com").await.unwrap();
    let second = cart_with(pool, variant, 1).await;
    enter_code(pool, second, "welcome").await.unwrap();
    let refused = place(pool, second, "ADA@Example.com").await.unwrap_err();
    assert!(
        code_message(refused).starts_with("You have already used WELCOME."),
        "the reason, then what to do"
    );
    assert_eq!(count(pool, "SELECT count(*) FROM orders").await, 1);
    place(pool, second, "grace@example.com").await.unwrap();
    db.drop_database().await;
}

#[tokio::test]
async fn an_order_records_each_discount_per_line_and_its_totals_add_up() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let tops = category(pool, "tops", None).await;
    let shirts = category(pool, "shirts", Some(tops)).await;
    let bags = category(pool, "bags", None).await;
    let shirt = product(
        pool,
        shirts,
        "linen-shirt",
        "Linen Shirt",
        "",
        &[(4000, 10)],
    )
    .await;
    let tote = product(pool, bags, "canvas-tote", "Canvas Tote", "", &[(2000, 10)]).await;
    let (shirt, tote) = (
        variant_ids(pool, shirt).await[0],
        variant_ids(pool, tote).await[0],
    );
    let tops_sale = PromotionForm {
        name: "Tops sale".into(),
        kind: "percent_off".into(),
        percent: "20".into(),
        categories: "tops".into(),
        trigger: "automatic".into(),
        combines: Some("on".into()),
        priority: "10".into(),
        ..Default::default()
    };
    save(pool, &staff_actor(), None, &tops_sale).await.unwrap();
    let five_off = PromotionForm {
        name: "Five off".into(),
        kind: "amount_off".into(),
        amount: "5.00".into(),
        combines: Some("on".into()),
        ..code_promotion("", "")
    };
    promotion_with_code(pool, five_off, "FIVE").await;
    let cart = cart_with(pool, shirt, 2).await;
    add_to_cart(pool, cart, tote, Quantity::parse(1).unwrap())
        .await
        .unwrap();
    enter_code(pool, cart, "five").await.unwrap();
    let placed = place(pool, cart, "ada@example.com").await.unwrap();
    // Shirts 80.00 − 20 % (subcategory of tops) = 64.00; then 5.00 spread over 64.00 and
    // 20.00: 3.81 and 1.19. Subtotal 100.00, discounts 21.00, shipping free over 75.00.
    let (subtotal, discount, shipping, total): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT subtotal_minor, discount_minor, shipping_minor, total_minor FROM orders WHERE id = $1",
    )
    .bind(placed.id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((subtotal, discount), (10_000, 2100));
    assert_eq!(total, subtotal - discount + shipping);
    let lines: Vec<(String, i64)> = sqlx::query_as(
        "SELECT sku, discount_minor FROM order_lines WHERE order_id = $1 ORDER BY variant_id",
    )
    .bind(placed.id)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(lines.iter().map(|l| l.1).sum::<i64>(), 2100);
    let per_promotion: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT d.name, d.code, sum(ld.amount_minor)::bigint FROM order_discounts d
         JOIN order_line_discounts ld ON ld.promotion_id = d.promotion_id
         JOIN order_lines l ON l.id = ld.order_line_id AND l.order_id = d.order_id
         WHERE d.order_id = $1 GROUP BY d.name, d.code, d.id ORDER BY d.id",
    )
    .bind(placed.id)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        per_promotion,
        [
            ("Tops sale".to_owned(), None, 1600),
            ("Five off".to_owned(), Some("FIVE".to_owned()), 500)
        ]
    );
    let receipt = app::orders::receipt::order_receipt(pool, &placed.number, None)
        .await
        .unwrap()
        .unwrap();
    let names: Vec<&str> = receipt.discounts.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Tops sale", "Five off"]);
    db.drop_database().await;
}

#[tokio::test]
async fn a_code_is_refused_with_the_reason_and_the_cart_keeps_none() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let variant = shirt(pool, 2000).await;
    let cart = cart_with(pool, variant, 1).await;
    let past = PromotionForm {
        starts_at: "2020-01-01T00:00".into(),
        ends_at: "2020-02-01T00:00".into(),
        ..code_promotion("Old", "10")
    };
    promotion_with_code(pool, past, "OLD").await;
    let future = PromotionForm {
        starts_at: "2099-01-01T00:00".into(),
        ..code_promotion("Later", "10")
    };
    promotion_with_code(pool, future, "LATER").await;
    let big_spend = PromotionForm {
        min_subtotal: "50".into(),
        ..code_promotion("Big spend", "10")
    };
    promotion_with_code(pool, big_spend, "BIG").await;
    let paused = promotion_with_code(pool, code_promotion("Paused", "10"), "PAUSED").await;
    switch(pool, &staff_actor(), paused, Switch::Pause)
        .await
        .unwrap();
    let cases = [
        ("nope", "There is no discount code NOPE."),
        ("old", "OLD expired on 1 February 2020."),
        ("later", "LATER can be used from 1 January 2099."),
        ("paused", "PAUSED cannot be used at the moment."),
        (
            "big",
            "BIG needs $50.00 of eligible items in your cart (you have $20.00).",
        ),
    ];
    for (typed, expected) in cases {
        let refused = enter_code(pool, cart, typed).await.unwrap_err();
        assert_eq!(code_message(refused), expected, "{typed}");
    }
    for bad in [
        "x".repeat(10 * 1024),
        "SPRING\u{0}".to_owned(),
        "a b".to_owned(),
    ] {
        let refused = enter_code(pool, cart, &bad).await.unwrap_err();
        assert!(
            code_message(refused).starts_with("Discount codes are"),
            "{bad:?}"
        );
    }
    let kept: Option<String> = sqlx::query_scalar("SELECT promotion_code FROM carts WHERE id = $1")
        .bind(cart)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(kept, None);
    db.drop_database().await;
}

#[tokio::test]
async fn bad_promotion_input_is_refused_field_by_field_and_writes_nothing() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let cases = [
        (
            PromotionForm {
                starts_at: "2026-12-10T00:00".into(),
                ends_at: "2026-12-01T00:00".into(),
                ..code_promotion("Backwards", "10")
            },
            "ends_at",
        ),
        (
            PromotionForm {
                kind: "amount_off".into(),
                amount: "-5".into(),
                ..code_promotion("Negative", "")
            },
            "amount",
        ),
        (
            PromotionForm {
                products: "no-such-product".into(),
                ..code_promotion("Nothing", "10")
            },
            "products",
        ),
        (code_promotion(&"x".repeat(10 * 1024), "10"), "name"),
    ];
    for (form, field) in cases {
        match save(pool, &staff_actor(), None, &form).await {
            Err(AppError::InvalidFields(errors)) => {
                assert_eq!(errors[0].field, field, "{errors:?}");
            }
            other => panic!("{field}: expected a field error, got {other:?}"),
        }
    }
    assert_eq!(count(pool, "SELECT count(*) FROM promotions").await, 0);
    assert_eq!(count(pool, "SELECT count(*) FROM audit_log").await, 0);
    db.drop_database().await;
}

#[tokio::test]
async fn a_batch_of_ten_thousand_codes_is_unique_single_use_and_exported() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let id = save(pool, &staff_actor(), None, &code_promotion("Mailing", "15"))
        .await
        .unwrap();
    let batch = CodeBatchForm {
        promotion_id: id,
        count: "10000".into(),
        prefix: "xmas".into(),
    };
    generate_codes(pool, &staff_actor(), &batch).await.unwrap();
    assert_eq!(
        count(pool, "SELECT count(DISTINCT code) FROM promotion_codes WHERE code LIKE 'XMAS-%' AND max_uses = 1").await,
        10_000
    );
    let csv = app::promotions::manage::codes_csv(pool, id).await.unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), 10_001, "a header and every code");
    assert!(text.starts_with("code,uses,max_uses,batch\n"));
    let too_many = CodeBatchForm {
        count: "10001".into(),
        ..batch
    };
    assert!(matches!(
        generate_codes(pool, &staff_actor(), &too_many).await,
        Err(AppError::InvalidFields(_))
    ));
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(actions, ["promotion.create", "promotion.codes_generate"]);
    db.drop_database().await;
}
