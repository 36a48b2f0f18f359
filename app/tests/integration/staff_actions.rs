//! The staff area's domain on a real PostgreSQL: every change writes its audit record in
//! the same transaction, the stock ledger always sums to the stock (also under concurrent
//! adjustments and sales), refunds never exceed what was paid, and each action done twice
//! is done once.

use app::audit::browse;
use app::audit::model::AuditFilter;
use app::catalog::manage::editor::{save, set_visibility, Visibility};
use app::catalog::manage::model::{ProductForm, VariantForm};
use app::inventory::ledger::adjust;
use app::inventory::model::AdjustmentForm;
use app::kernel::db::connect;
use app::kernel::error::AppError;
use app::orders::manage::model::{FulfilForm, RefundForm};
use app::orders::manage::{cancel, fulfil, mark_paid, refund};
use app::orders::model::OrderStatus;
use app::payments::PaymentGateways;
use app::testing::fixtures::{category, placed_order, product, staff_actor, stock_of, variant_ids};
use app::testing::TestDatabase;
use sqlx::PgPool;
use uuid::Uuid;

/// The store's address, as the emails to shoppers link to it.
const SHOP_URL: &str = "https://shop.example";

/// Kind and body of every email queued to an order's shopper after its confirmation.
async fn shopper_emails(pool: &PgPool, order_id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT kind, body_text FROM outbox_emails
         WHERE order_id = $1 AND kind <> 'order_confirmation' ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn audit_actions(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Per variant, the ledger's sum and the stock; they must always be equal.
async fn ledger_and_stock(pool: &PgPool) -> Vec<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT v.id, coalesce(sum(m.delta), 0)::bigint, v.stock::bigint FROM product_variants v
         LEFT JOIN stock_movements m ON m.variant_id = v.id GROUP BY v.id ORDER BY v.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn assert_ledger_matches(rows: &[(i64, i64, i64)]) {
    for (variant, ledger, stock) in rows {
        assert_eq!(
            ledger, stock,
            "variant {variant}: ledger sum {ledger}, stock {stock}"
        );
    }
}

fn shirt_form(category_id: i64) -> ProductForm {
    ProductForm {
        name: "Linen Shirt".into(),
        category_id: category_id.to_string(),
        option_names: "Size".into(),
        published: Some("on".into()),
        description: "Cool in summer.".into(),
        variants: vec![
            VariantForm {
                sku: "shirt-s".into(),
                options: "S".into(),
                price: "45.00".into(),
                stock: "4".into(),
                ..Default::default()
            },
            VariantForm {
                sku: "SHIRT-M".into(),
                options: "M".into(),
                price: "45".into(),
                stock: "10".into(),
                low_stock_threshold: "3".into(),
                ..Default::default()
            },
            VariantForm::default(),
        ],
        ..Default::default()
    }
}

async fn subscribe_to(pool: &PgPool, event: &str) {
    app::webhooks::outbox::add_endpoint(
        pool,
        "https://erp.example/hook",
        "a-secret-of-16-chars",
        &[event.to_owned()],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn creating_a_product_writes_it_its_opening_stock_an_audit_record_and_an_event() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    subscribe_to(&db.pool, "product.updated").await;

    let id = save(&db.pool, &staff_actor(), &shirt_form(tops))
        .await
        .unwrap();

    let (slug, published): (String, bool) =
        sqlx::query_as("SELECT slug, is_published FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        (slug.as_str(), published),
        ("linen-shirt", true),
        "slug made from the name"
    );
    let variants: Vec<(String, i64, i32, i32)> = sqlx::query_as(
        "SELECT sku, price_minor, stock, low_stock_threshold FROM product_variants WHERE product_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        variants,
        [
            ("SHIRT-S".to_owned(), 4500, 4, 5),
            ("SHIRT-M".to_owned(), 4500, 10, 3)
        ],
        "SKUs upper-cased, the blank spare row ignored, the default threshold 5"
    );
    let opening: Vec<(String, i32)> =
        sqlx::query_as("SELECT reason::text, delta FROM stock_movements ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        opening,
        [("opening".to_owned(), 4), ("opening".to_owned(), 10)]
    );
    let (actor, address, action, entity, before, after): (
        String,
        String,
        String,
        String,
        Option<serde_json::Value>,
        serde_json::Value,
    ) = sqlx::query_as(
        "SELECT actor_email, client_address, action, entity_id, before, after FROM audit_log",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), address.as_str(), action.as_str()),
        ("clerk@shop.example", "203.0.113.5", "product.create")
    );
    assert_eq!(entity, id.to_string());
    assert!(before.is_none(), "nothing existed before a creation");
    assert_eq!(after["name"], "Linen Shirt");
    assert_eq!(after["variants"][1]["sku"], "SHIRT-M");
    let event: serde_json::Value = sqlx::query_scalar(
        "SELECT payload FROM webhook_events WHERE event_type = 'product.updated'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(event["action"], "product.create");
    assert_eq!(event["product"]["slug"], "linen-shirt");
    db.drop_database().await;
}

#[tokio::test]
async fn a_bad_product_form_names_each_field_and_writes_nothing() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let taken = product(&db.pool, tops, "taken", "Taken", "", &[(100, 1)]).await;
    let taken_sku: String =
        sqlx::query_scalar("SELECT sku FROM product_variants WHERE product_id = $1")
            .bind(taken)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let mut form = shirt_form(tops);
    form.name = " ".into();
    form.slug = "Not A Slug".into();
    form.variants[0].price = "12.345".into();
    form.variants[0].options = "S, Red".into();
    form.variants[1].stock = "-1".into();
    let error = save(&db.pool, &staff_actor(), &form).await.unwrap_err();
    for field in [
        "name",
        "slug",
        "variants.0.price",
        "variants.0.options",
        "variants.1.stock",
    ] {
        assert!(
            error.field_message(field).is_some(),
            "{field} is named: {error:?}"
        );
    }

    // Conflicts only the database sees: a slug and a SKU of another product.
    let mut form = shirt_form(tops);
    form.slug = "taken".into();
    form.variants[1].sku = taken_sku.to_lowercase();
    let error = save(&db.pool, &staff_actor(), &form).await.unwrap_err();
    assert!(error.field_message("slug").is_some(), "{error:?}");
    assert!(error
        .field_message("variants.1.sku")
        .unwrap()
        .contains(&taken_sku));

    let mut form = shirt_form(tops);
    form.variants
        .iter_mut()
        .for_each(|v| *v = VariantForm::default());
    let error = save(&db.pool, &staff_actor(), &form).await.unwrap_err();
    assert!(
        error.field_message("variants").is_some(),
        "a product needs a variant"
    );

    assert_eq!(count(&db.pool, "SELECT count(*) FROM products").await, 1);
    assert_eq!(count(&db.pool, "SELECT count(*) FROM audit_log").await, 0);
    db.drop_database().await;
}

#[tokio::test]
async fn editing_a_product_changes_variants_keeps_stock_and_refuses_a_stale_form() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let actor = staff_actor();
    let id = save(&db.pool, &actor, &shirt_form(tops)).await.unwrap();
    let opened = app::catalog::manage::editor::editor_data(&db.pool, Some(id))
        .await
        .unwrap();
    let product = opened.product.unwrap();
    let [small, medium] = [&product.variants[0], &product.variants[1]];

    let edit = ProductForm {
        id: id.to_string(),
        version: product.version.clone(),
        name: "Linen Shirt, relaxed".into(),
        slug: "linen-shirt".into(),
        category_id: tops.to_string(),
        option_names: "Size".into(),
        published: Some("on".into()),
        variants: vec![
            VariantForm {
                id: small.id.to_string(),
                remove: Some("on".into()),
                ..Default::default()
            },
            // The stock field of an existing variant is ignored: stock changes by adjustment.
            VariantForm {
                id: medium.id.to_string(),
                sku: "SHIRT-M".into(),
                options: "M".into(),
                price: "49.50".into(),
                stock: "999".into(),
                low_stock_threshold: "2".into(),
                ..Default::default()
            },
            VariantForm {
                sku: "SHIRT-L".into(),
                options: "L".into(),
                price: "49.50".into(),
                stock: "6".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    save(&db.pool, &actor, &edit).await.unwrap();
    let variants: Vec<(String, i64, i32)> = sqlx::query_as(
        "SELECT sku, price_minor, stock FROM product_variants WHERE product_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        variants,
        [
            ("SHIRT-M".to_owned(), 4950, 10),
            ("SHIRT-L".to_owned(), 4950, 6)
        ]
    );
    let (before, after): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("SELECT before, after FROM audit_log WHERE action = 'product.update'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(before["name"], "Linen Shirt");
    assert_eq!(after["name"], "Linen Shirt, relaxed");
    assert_eq!(before["variants"].as_array().unwrap().len(), 2);

    // The same (now stale) form again: refused, nothing changes.
    let error = save(&db.pool, &actor, &edit).await.unwrap_err();
    assert!(
        error.to_string().contains("changed this product"),
        "{error}"
    );
    assert_eq!(count(&db.pool, "SELECT count(*) FROM audit_log").await, 2);
    assert_ledger_matches(&ledger_and_stock(&db.pool).await);
    db.drop_database().await;
}

#[tokio::test]
async fn archiving_takes_a_product_off_the_store_and_repeating_it_changes_nothing() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let actor = staff_actor();
    let id = save(&db.pool, &actor, &shirt_form(tops)).await.unwrap();

    set_visibility(&db.pool, &actor, id, Visibility::Archive)
        .await
        .unwrap();
    set_visibility(&db.pool, &actor, id, Visibility::Archive)
        .await
        .unwrap();
    let (published, archived): (bool, bool) =
        sqlx::query_as("SELECT is_published, archived_at IS NOT NULL FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((published, archived), (false, true));
    let error = set_visibility(&db.pool, &actor, id, Visibility::Publish)
        .await
        .unwrap_err();
    assert!(
        matches!(error, AppError::InvalidInput(_)),
        "restore first: {error:?}"
    );
    set_visibility(&db.pool, &actor, id, Visibility::Restore)
        .await
        .unwrap();
    set_visibility(&db.pool, &actor, id, Visibility::Publish)
        .await
        .unwrap();
    assert_eq!(
        audit_actions(&db.pool).await,
        [
            "product.create",
            "product.archive",
            "product.restore",
            "product.publish"
        ]
    );
    db.drop_database().await;
}

fn adjustment(variant_id: i64, change: &str, reason: &str) -> AdjustmentForm {
    AdjustmentForm {
        variant_id,
        change: change.into(),
        reason: reason.into(),
        note: "delivery 42".into(),
        request_key: Uuid::new_v4().to_string(),
    }
}

#[tokio::test]
async fn stock_adjustments_check_their_reason_never_go_below_zero_and_apply_once() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(100, 5)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let actor = staff_actor();

    let received = adjustment(variant, "+12", "received");
    assert_eq!(adjust(&db.pool, &actor, &received).await.unwrap(), 17);
    assert_eq!(
        adjust(&db.pool, &actor, &received).await.unwrap(),
        17,
        "the same form twice adjusts once"
    );

    for (change, reason, field) in [
        ("-2", "received", "change"),
        ("3", "damaged", "change"),
        ("0", "correction", "change"),
        ("x", "correction", "change"),
        ("1", "stolen", "reason"),
    ] {
        let error = adjust(&db.pool, &actor, &adjustment(variant, change, reason))
            .await
            .unwrap_err();
        assert!(
            error.field_message(field).is_some(),
            "{change} {reason}: {error:?}"
        );
    }
    let error = adjust(&db.pool, &actor, &adjustment(variant, "-18", "damaged"))
        .await
        .unwrap_err();
    assert!(
        error.field_message("change").unwrap().contains("Only 17"),
        "{error:?}"
    );
    adjust(&db.pool, &actor, &adjustment(variant, "-17", "correction"))
        .await
        .unwrap();
    assert_eq!(stock_of(&db.pool, variant).await, 0);

    let ledger: Vec<(String, i32, i32, String)> = sqlx::query_as(
        "SELECT reason::text, delta, stock_after, note FROM stock_movements ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        ledger,
        [
            ("opening".to_owned(), 5, 5, String::new()),
            ("received".to_owned(), 12, 17, "delivery 42".to_owned()),
            ("correction".to_owned(), -17, 0, "delivery 42".to_owned()),
        ]
    );
    assert_eq!(
        audit_actions(&db.pool).await,
        ["stock.adjust", "stock.adjust"]
    );
    db.drop_database().await;
}

#[tokio::test]
async fn the_ledger_sums_to_the_stock_under_concurrent_adjustments_sales_and_cancellations() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(
        &db.pool,
        tops,
        "shirt",
        "Shirt",
        "",
        &[(100, 50), (100, 50)],
    )
    .await;
    let variants = variant_ids(&db.pool, shirt).await;
    let pool = connect(db.options.clone(), 20).await.unwrap();
    let actor = staff_actor();

    let mut tasks = Vec::new();
    for n in 0..40 {
        let pool = pool.clone();
        let actor = actor.clone();
        let variant = variants[(n / 4) % 2];
        tasks.push(tokio::spawn(async move {
            match n % 4 {
                0 => adjust(&pool, &actor, &adjustment(variant, "3", "received"))
                    .await
                    .map(|_| ()),
                1 => adjust(&pool, &actor, &adjustment(variant, "-2", "damaged"))
                    .await
                    .map(|_| ()),
                2 => {
                    let order = placed_order(&pool, &[(variant, 1)]).await;
                    cancel(
                        &pool,
                        &PaymentGateways::simulated(),
                        &actor,
                        order.id,
                        SHOP_URL,
                    )
                    .await
                }
                _ => {
                    placed_order(&pool, &[(variant, 2)]).await;
                    Ok(())
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let rows = ledger_and_stock(&pool).await;
    assert_ledger_matches(&rows);
    // Each variant: 50 + 5×3 − 5×2 − 5×2 (sales kept) = 45; cancelled sales came back.
    assert_eq!(rows.iter().map(|r| r.2).collect::<Vec<_>>(), [45, 45]);
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT reason::text FROM stock_movements ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        reasons,
        ["cancellation", "damaged", "opening", "received", "sale"]
    );
    db.drop_database().await;
}

fn refund_form(order_id: i64, amount: &str) -> RefundForm {
    RefundForm {
        order_id,
        amount: amount.into(),
        reason: "scratched on arrival".into(),
        request_key: Uuid::new_v4().to_string(),
    }
}

#[tokio::test]
async fn refunds_never_exceed_what_was_paid_and_the_last_one_makes_the_order_refunded() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(10_000, 5)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let order = placed_order(&db.pool, &[(variant, 1)]).await;
    let total = order.total.minor_units;
    let actor = staff_actor();
    subscribe_to(&db.pool, "order.refunded").await;

    let error = refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &refund_form(order.id, "10"),
        SHOP_URL,
    )
    .await
    .unwrap_err();
    assert!(
        error.to_string().contains("cannot be refunded"),
        "unpaid: {error}"
    );
    mark_paid(&db.pool, &actor, order.id).await.unwrap();

    let partial = refund_form(order.id, "30.00");
    refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &partial,
        SHOP_URL,
    )
    .await
    .unwrap();
    refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &partial,
        SHOP_URL,
    )
    .await
    .unwrap();
    let refunded = || async {
        sqlx::query_as::<_, (i64, OrderStatus)>(
            "SELECT refunded_minor, status FROM orders WHERE id = $1",
        )
        .bind(order.id)
        .fetch_one(&db.pool)
        .await
        .unwrap()
    };
    assert_eq!(
        refunded().await,
        (3000, OrderStatus::Paid),
        "a double submit refunds once"
    );

    let too_much = refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &refund_form(order.id, &format!("{}.01", (total - 3000) / 100)),
        SHOP_URL,
    )
    .await
    .unwrap_err();
    assert!(
        too_much
            .field_message("amount")
            .unwrap()
            .starts_with("At most"),
        "{too_much:?}"
    );
    for bad in ["0", "-5", "abc"] {
        assert!(
            refund(
                &db.pool,
                &PaymentGateways::simulated(),
                &actor,
                &refund_form(order.id, bad),
                SHOP_URL
            )
            .await
            .unwrap_err()
            .field_message("amount")
            .is_some(),
            "{bad}"
        );
    }
    let rest = format!("{}.{:02}", (total - 3000) / 100, (total - 3000) % 100);
    refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &refund_form(order.id, &rest),
        SHOP_URL,
    )
    .await
    .unwrap();
    assert_eq!(refunded().await, (total, OrderStatus::Refunded));
    let error = refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &refund_form(order.id, "1"),
        SHOP_URL,
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("cannot be refunded"), "{error}");

    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM order_refunds").await,
        2
    );
    assert_eq!(
        count(
            &db.pool,
            "SELECT count(*) FROM webhook_events WHERE event_type = 'order.refunded'"
        )
        .await,
        2
    );
    assert_eq!(
        audit_actions(&db.pool).await,
        ["order.mark_paid", "order.refund", "order.refund"]
    );
    let emails = shopper_emails(&db.pool, order.id).await;
    let kinds: Vec<&str> = emails.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["order_refunded", "order_refunded"],
        "one per refund"
    );
    assert!(
        emails[0].1.contains("$30.00") && emails[0].1.contains(&order.number),
        "{}",
        emails[0].1
    );
    assert!(
        !emails[0].1.contains("scratched"),
        "staff reasons stay inside"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn orders_move_through_payment_fulfilment_and_cancellation_with_audit_records() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(2_000, 5)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let actor = staff_actor();
    let shipped = placed_order(&db.pool, &[(variant, 1)]).await;
    let cancelled = placed_order(&db.pool, &[(variant, 2)]).await;
    assert_eq!(stock_of(&db.pool, variant).await, 2);

    let no_tracking = FulfilForm {
        order_id: shipped.id,
        carrier: "DHL".into(),
        tracking_number: " ".into(),
    };
    assert!(fulfil(&db.pool, &actor, &no_tracking, SHOP_URL)
        .await
        .unwrap_err()
        .field_message("tracking_number")
        .is_some());
    let ship = FulfilForm {
        order_id: shipped.id,
        carrier: "DHL".into(),
        tracking_number: "JD0146".into(),
    };
    let error = fulfil(&db.pool, &actor, &ship, SHOP_URL).await.unwrap_err();
    assert!(
        error.to_string().contains("cannot become"),
        "unpaid orders do not ship: {error}"
    );
    mark_paid(&db.pool, &actor, shipped.id).await.unwrap();
    mark_paid(&db.pool, &actor, shipped.id).await.unwrap();
    fulfil(&db.pool, &actor, &ship, SHOP_URL).await.unwrap();
    fulfil(
        &db.pool,
        &actor,
        &FulfilForm {
            tracking_number: "OTHER".into(),
            ..ship.clone()
        },
        SHOP_URL,
    )
    .await
    .unwrap();
    let tracking: String = sqlx::query_scalar("SELECT tracking_number FROM orders WHERE id = $1")
        .bind(shipped.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(tracking, "JD0146", "a repeated fulfilment changes nothing");
    let shipped_emails = shopper_emails(&db.pool, shipped.id).await;
    assert_eq!(
        shipped_emails.len(),
        1,
        "one shipping email: {shipped_emails:?}"
    );
    let (kind, body) = &shipped_emails[0];
    assert_eq!(kind, "order_shipped");
    for told in [
        "DHL",
        "JD0146",
        &shipped.number,
        "https://shop.example/order-status",
    ] {
        assert!(
            body.contains(told),
            "the shipping email tells {told}: {body}"
        );
    }

    cancel(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        cancelled.id,
        SHOP_URL,
    )
    .await
    .unwrap();
    cancel(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        cancelled.id,
        SHOP_URL,
    )
    .await
    .unwrap();
    assert_eq!(stock_of(&db.pool, variant).await, 4, "restocked once");
    let cancelled_emails = shopper_emails(&db.pool, cancelled.id).await;
    assert_eq!(
        cancelled_emails
            .iter()
            .map(|(kind, _)| kind.as_str())
            .collect::<Vec<_>>(),
        ["order_cancelled"],
        "the shopper is told once"
    );
    assert!(cancelled_emails[0].1.contains(&cancelled.number));
    assert!(
        cancel(
            &db.pool,
            &PaymentGateways::simulated(),
            &actor,
            shipped.id,
            SHOP_URL
        )
        .await
        .is_err(),
        "shipped orders are refunded, not cancelled"
    );

    assert_eq!(
        audit_actions(&db.pool).await,
        ["order.mark_paid", "order.fulfil", "order.cancel"]
    );
    let detail = app::orders::manage::detail(&db.pool, &shipped.number)
        .await
        .unwrap();
    let titles: Vec<&str> = detail.timeline.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Placed", "Paid", "Shipped"]);
    assert_eq!(detail.carrier.as_deref(), Some("DHL"));
    assert_ledger_matches(&ledger_and_stock(&db.pool).await);
    db.drop_database().await;
}

#[tokio::test]
async fn the_audit_log_cannot_be_edited_or_deleted_and_filters_by_entity_and_actor() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let id = save(&db.pool, &staff_actor(), &shirt_form(tops))
        .await
        .unwrap();
    app::settings::set_maintenance(&db.pool, &staff_actor(), true, "Stocktake")
        .await
        .unwrap();

    for sql in [
        "UPDATE audit_log SET actor_email = 'someone@else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let error = sqlx::query(sql).execute(&db.pool).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    let products = browse(
        &db.pool,
        &AuditFilter {
            entity_type: "product".into(),
            entity_id: id.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(products.entries.len(), 1);
    assert!(products.entries[0].after.contains("Linen Shirt"));
    let settings = browse(
        &db.pool,
        &AuditFilter {
            entity_type: "settings".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(settings.entries[0].action, "settings.maintenance");
    assert!(settings.entries[0].after.contains("Stocktake"));
    let nobody = browse(
        &db.pool,
        &AuditFilter {
            actor: "nobody%".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        nobody.entries.is_empty(),
        "the actor filter is literal, % included"
    );
    let everyone = browse(
        &db.pool,
        &AuditFilter {
            actor: "CLERK@".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(everyone.entries.len(), 2);
    db.drop_database().await;
}

#[tokio::test]
async fn the_dashboard_counts_paid_revenue_less_refunds_and_the_funnel() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(10_000, 50)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let actor = staff_actor();
    let paid = placed_order(&db.pool, &[(variant, 2)]).await;
    let _unpaid = placed_order(&db.pool, &[(variant, 1)]).await;
    mark_paid(&db.pool, &actor, paid.id).await.unwrap();
    refund(
        &db.pool,
        &PaymentGateways::simulated(),
        &actor,
        &refund_form(paid.id, "50"),
        SHOP_URL,
    )
    .await
    .unwrap();
    app::funnel::record_visits(&db.pool, 40).await.unwrap();
    // The two orders' carts count as carts; one cart reached the checkout.
    let cart = app::cart::repo::create_cart(&db.pool).await.unwrap();
    app::funnel::record_checkout_started(&db.pool, cart)
        .await
        .unwrap();
    app::funnel::record_checkout_started(&db.pool, cart)
        .await
        .unwrap();

    let dashboard = app::admin::dashboard::figures::dashboard(&db.pool)
        .await
        .unwrap();
    assert_eq!(dashboard.days.len(), 30);
    let today = dashboard.days.last().unwrap();
    assert_eq!(today.orders, 1, "only paid orders count as sales");
    assert_eq!(today.revenue_minor, paid.total.minor_units - 5_000);
    assert_eq!(dashboard.revenue_minor, today.revenue_minor);
    assert_eq!(dashboard.average_order_minor, paid.total.minor_units);
    let funnel: Vec<i64> = dashboard.funnel.iter().map(|s| s.count).collect();
    assert_eq!(funnel, [40, 3, 1, 2]);
    assert_eq!(dashboard.top_products[0].units, 2);
    db.drop_database().await;
}

#[tokio::test]
async fn owners_invite_staff_change_roles_and_deactivate_but_never_leave_the_store_without_an_owner(
) {
    use app::accounts::model::Role;
    use app::accounts::staff::model::InviteForm;
    use app::accounts::staff::{change_role, invite, set_active};
    use app::audit::Actor;
    let db = TestDatabase::new().await;
    let owner_email = app::kernel::email::EmailAddress::parse("owner@shop.example").unwrap();
    let owner_id = app::accounts::repo::create_staff(
        &db.pool,
        &owner_email,
        "Olive",
        Role::Owner,
        "owner password 12",
    )
    .await
    .unwrap();
    let owner = Actor {
        id: owner_id,
        email: "owner@shop.example".into(),
        client_address: "198.51.100.2".into(),
    };

    let bad = invite(
        &db.pool,
        &owner,
        &InviteForm {
            email: "nope".into(),
            name: String::new(),
            role: "boss".into(),
        },
        "https://shop.example",
    )
    .await
    .unwrap_err();
    assert!(
        bad.field_message("email").is_some() && bad.field_message("role").is_some(),
        "{bad:?}"
    );
    let form = InviteForm {
        email: "sam@shop.example".into(),
        name: "Sam".into(),
        role: "staff".into(),
    };
    let sam = invite(&db.pool, &owner, &form, "https://shop.example")
        .await
        .unwrap();
    let again = invite(&db.pool, &owner, &form, "https://shop.example")
        .await
        .unwrap_err();
    assert!(again
        .field_message("email")
        .unwrap()
        .contains("already has an account"));

    // The invitation's link sets the first password; before that, no login.
    use app::accounts::repo::{check_login, LoginCheck};
    let login = || {
        check_login(
            &db.pool,
            "sam@shop.example",
            "a long password 1",
            "https://shop.example",
        )
    };
    assert_eq!(login().await.unwrap(), LoginCheck::Refused);
    let body: String =
        sqlx::query_scalar("SELECT body_text FROM outbox_emails WHERE kind = 'staff_invitation'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let start = body.find("token=").unwrap() + "token=".len();
    app::accounts::repo::reset_password(
        &db.pool,
        &body[start..start + 64],
        "a long password 1",
        "https://shop.example",
    )
    .await
    .unwrap();
    let LoginCheck::Accepted(signed_in) = login().await.unwrap() else {
        panic!("the invited member logs in with the password they chose");
    };
    assert_eq!(signed_in.role, Some(Role::Staff));

    change_role(&db.pool, &owner, sam, Role::Admin)
        .await
        .unwrap();
    let error = change_role(&db.pool, &owner, owner_id, Role::Staff)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("needs an active owner"),
        "{error}"
    );
    let error = set_active(&db.pool, &owner, owner_id, false)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("your own account"), "{error}");

    let epoch_before: i32 = sqlx::query_scalar("SELECT session_epoch FROM accounts WHERE id = $1")
        .bind(sam)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    set_active(&db.pool, &owner, sam, false).await.unwrap();
    set_active(&db.pool, &owner, sam, false).await.unwrap();
    assert!(
        app::accounts::repo::account_at_epoch(&db.pool, sam, epoch_before)
            .await
            .unwrap()
            .is_none(),
        "a deactivated account's sessions end"
    );
    set_active(&db.pool, &owner, sam, true).await.unwrap();
    assert_eq!(
        audit_actions(&db.pool).await,
        [
            "staff.invite",
            "staff.change_role",
            "staff.deactivate",
            "staff.reactivate"
        ]
    );
    let address: String = sqlx::query_scalar("SELECT DISTINCT client_address FROM audit_log")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(address, "198.51.100.2");
    db.drop_database().await;
}

#[tokio::test]
async fn a_csv_import_with_a_bad_row_changes_nothing_and_a_good_one_creates_updates_and_restocks() {
    use app::catalog::manage::import::{export_page, import_csv};
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let existing = product(&db.pool, tops, "old-shirt", "Old Shirt", "", &[(1000, 4)]).await;
    let old_sku: String =
        sqlx::query_scalar("SELECT sku FROM product_variants WHERE product_id = $1")
            .bind(existing)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let actor = staff_actor();
    let header = "sku,product_slug,product_name,category_slug,price,stock,option_names,option_values,low_stock_threshold,published\n";

    let bad = format!(
        "{header}NEW-1,new-tee,New Tee,tops,12.50,10,Size,S,,yes\n\
         NEW-2,new-tee,New Tee,tops,twelve,-1,Size,M,,yes\n\
         NEW-3,new-tee,New Tee,shoes,12.50,3,Size,L,,yes\n\
         {old_sku},new-tee,New Tee,tops,12.50,3,Size,XL,,yes\n"
    );
    let report = import_csv(&db.pool, &actor, bad.as_bytes()).await.unwrap();
    assert!(!report.imported());
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5], "{:?}", report.errors);
    assert!(
        report.errors[0].message.contains("price") && report.errors[0].message.contains("stock")
    );
    assert!(report.errors[1].message.contains("no category shoes"));
    assert!(report.errors[2]
        .message
        .contains("belongs to the product old-shirt"));
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM products").await,
        1,
        "nothing half-imported"
    );
    assert_eq!(count(&db.pool, "SELECT count(*) FROM audit_log").await, 0);

    let good = format!(
        "{header}NEW-1,new-tee,New Tee,tops,12.50,10,Size,S,2,yes\n\
         NEW-2,new-tee,New Tee,tops,12.50,0,Size,M,,yes\n\
         {old_sku},old-shirt,Old Shirt Renamed,tops,11,9,Size,S0,,\n"
    );
    let report = import_csv(&db.pool, &actor, good.as_bytes()).await.unwrap();
    assert!(report.imported(), "{:?}", report.errors);
    assert_eq!(
        (
            report.created_products,
            report.updated_products,
            report.created_variants,
            report.updated_variants
        ),
        (1, 1, 2, 1)
    );
    let old: (String, i32, i64) = sqlx::query_as(
        "SELECT p.name, v.stock, v.price_minor FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.sku = $1",
    )
    .bind(&old_sku)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(old, ("Old Shirt Renamed".to_owned(), 9, 1100));
    let import_delta: i32 = sqlx::query_scalar(
        "SELECT delta FROM stock_movements m JOIN product_variants v ON v.id = m.variant_id WHERE v.sku = $1 AND m.reason = 'import'",
    )
    .bind(&old_sku)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(import_delta, 5, "4 → 9 is recorded as +5");
    assert_ledger_matches(&ledger_and_stock(&db.pool).await);
    assert_eq!(audit_actions(&db.pool).await, ["catalog.import"]);

    // The export is a file the import takes back: nothing new, everything updated.
    let mut exported = Vec::new();
    let mut after = 0;
    while let Some((bytes, last)) = export_page(&db.pool, after, 2).await.unwrap() {
        exported.extend(bytes);
        after = last;
    }
    let text = String::from_utf8(exported.clone()).unwrap();
    assert!(text.starts_with("sku,product_slug,"), "{text}");
    assert_eq!(
        text.lines().count(),
        4,
        "a header and three variants: {text}"
    );
    let again = import_csv(&db.pool, &actor, &exported).await.unwrap();
    assert_eq!(
        (again.created_variants, again.updated_variants),
        (0, 3),
        "{:?}",
        again.errors
    );
    db.drop_database().await;
}

#[tokio::test]
async fn categories_form_a_tree_that_never_loops_keeps_its_order_and_deletes_only_empty_nodes() {
    use app::catalog::categories::model::CategoryForm;
    use app::catalog::categories::{delete, reorder, save, tree};
    let db = TestDatabase::new().await;
    let actor = staff_actor();
    let form = |name: &str, parent: Option<i64>| CategoryForm {
        name: name.into(),
        parent_id: parent.map(|p| p.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    let clothing = save(&db.pool, &actor, &form("Clothing", None))
        .await
        .unwrap();
    let shoes = save(&db.pool, &actor, &form("Shoes", None)).await.unwrap();
    let shirts = save(&db.pool, &actor, &form("Linen Shirts", Some(clothing)))
        .await
        .unwrap();
    let names = |nodes: Vec<app::catalog::categories::model::CategoryNode>| {
        nodes
            .into_iter()
            .map(|n| format!("{}{}", "-".repeat(n.depth), n.slug))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(tree(&db.pool).await.unwrap()),
        ["clothing", "-linen-shirts", "shoes"]
    );

    reorder(&db.pool, &actor, shoes, true).await.unwrap();
    reorder(&db.pool, &actor, shoes, true).await.unwrap();
    assert_eq!(
        names(tree(&db.pool).await.unwrap()),
        ["shoes", "clothing", "-linen-shirts"],
        "the first stays first"
    );

    let mut looping = form("Clothing", Some(shirts));
    looping.id = clothing.to_string();
    let error = save(&db.pool, &actor, &looping).await.unwrap_err();
    assert!(error
        .field_message("parent_id")
        .unwrap()
        .contains("below itself"));
    let duplicate = save(
        &db.pool,
        &actor,
        &CategoryForm {
            slug: "shoes".into(),
            ..form("Boots", None)
        },
    )
    .await
    .unwrap_err();
    assert!(duplicate.field_message("slug").is_some(), "{duplicate:?}");

    product(&db.pool, shirts, "shirt", "Shirt", "", &[(100, 1)]).await;
    let error = delete(&db.pool, &actor, shirts).await.unwrap_err();
    assert!(error.to_string().contains("1 products"), "{error}");
    assert!(delete(&db.pool, &actor, clothing)
        .await
        .unwrap_err()
        .to_string()
        .contains("1 sub-categories"));
    delete(&db.pool, &actor, shoes).await.unwrap();
    assert_eq!(
        audit_actions(&db.pool).await,
        [
            "category.create",
            "category.create",
            "category.create",
            "category.reorder",
            "category.delete"
        ]
    );
    db.drop_database().await;
}

#[tokio::test]
async fn thresholds_and_webhook_settings_are_audited_and_a_webhook_secret_never_is() {
    use app::inventory::ledger::{low_stock_count, set_threshold};
    use app::webhooks::endpoints::{add_webhook, set_webhook_active};
    use app::webhooks::model::WebhookForm;
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(100, 8)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let actor = staff_actor();

    assert_eq!(low_stock_count(&db.pool).await.unwrap(), 0);
    assert!(set_threshold(&db.pool, &actor, variant, "-1")
        .await
        .unwrap_err()
        .field_message("threshold")
        .is_some());
    set_threshold(&db.pool, &actor, variant, "8").await.unwrap();
    set_threshold(&db.pool, &actor, variant, "8").await.unwrap();
    assert_eq!(
        low_stock_count(&db.pool).await.unwrap(),
        1,
        "8 in stock is at the line of 8"
    );

    let form = WebhookForm {
        url: "https://erp.example/hooks".into(),
        secret: "a-very-secret-secret".into(),
        order_paid: Some("on".into()),
        ..Default::default()
    };
    let endpoint = add_webhook(&db.pool, &actor, &form).await.unwrap();
    set_webhook_active(&db.pool, &actor, endpoint, false)
        .await
        .unwrap();
    assert_eq!(
        audit_actions(&db.pool).await,
        ["stock.set_threshold", "webhook.add", "webhook.pause"]
    );
    let logged: String =
        sqlx::query_scalar("SELECT string_agg(coalesce(after::text, ''), ' ') FROM audit_log")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(
        logged.contains("erp.example") && !logged.contains("a-very-secret-secret"),
        "{logged}"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn the_product_list_searches_words_and_skus_filters_by_category_tree_and_status_and_pages() {
    use app::catalog::manage::editor::list;
    use app::catalog::manage::model::{ProductFilter, ProductState};
    let db = TestDatabase::new().await;
    let clothing = category(&db.pool, "clothing", None).await;
    let shirts = category(&db.pool, "shirts", Some(clothing)).await;
    let kitchen = category(&db.pool, "kitchen", None).await;
    let linen = product(
        &db.pool,
        shirts,
        "linen-shirt",
        "Linen Shirt",
        "breezy",
        &[(100, 1)],
    )
    .await;
    let pan = product(
        &db.pool,
        kitchen,
        "iron-pan",
        "Iron Pan",
        "heavy",
        &[(100, 1)],
    )
    .await;
    for n in 0..60 {
        product(
            &db.pool,
            kitchen,
            &format!("spoon-{n}"),
            "Spoon",
            "",
            &[(100, 1)],
        )
        .await;
    }
    set_visibility(&db.pool, &staff_actor(), pan, Visibility::Archive)
        .await
        .unwrap();
    let ids = |list: app::catalog::manage::model::ProductList| {
        list.rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    let filter = |search: &str, category: &str, status: &str| ProductFilter {
        search: search.into(),
        category: category.into(),
        status: status.into(),
        before_id: None,
    };

    assert_eq!(
        ids(list(&db.pool, &filter("shirts", "", "")).await.unwrap()),
        [linen],
        "words, stemmed"
    );
    assert_eq!(
        ids(list(&db.pool, &filter("linen-shirt-0", "", ""))
            .await
            .unwrap()),
        [linen],
        "an exact SKU"
    );
    assert_eq!(
        ids(list(&db.pool, &filter("", &clothing.to_string(), ""))
            .await
            .unwrap()),
        [linen],
        "sub-categories included"
    );
    assert!(
        !ids(list(&db.pool, &filter("pan", "", "")).await.unwrap()).contains(&pan),
        "archived hidden by default"
    );
    let archived = list(&db.pool, &filter("", "", "archived")).await.unwrap();
    assert_eq!(archived.rows.len(), 1);
    assert_eq!(archived.rows[0].status, ProductState::Archived);
    assert!(list(&db.pool, &filter("", "", "sold"))
        .await
        .unwrap_err()
        .field_message("status")
        .is_some());

    let first = list(&db.pool, &filter("", "", "")).await.unwrap();
    assert_eq!(first.rows.len(), 50);
    let second = list(
        &db.pool,
        &ProductFilter {
            before_id: first.next_before_id,
            ..filter("", "", "")
        },
    )
    .await
    .unwrap();
    assert_eq!(second.rows.len(), 11, "61 active products in all");
    assert!(second.next_before_id.is_none());
    assert!(second
        .rows
        .iter()
        .all(|r| r.id < first.rows.last().unwrap().id));
    db.drop_database().await;
}
