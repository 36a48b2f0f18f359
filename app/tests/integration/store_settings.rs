//! The store's settings on a real PostgreSQL: each field is checked (nothing written on a
//! mistake), the change is audited, new orders take the number prefix, and receipts and
//! the staff's order pages show times in the store's time zone.

use app::kernel::error::AppError;
use app::settings::model::StoreProfileForm;
use app::settings::store::{profile_view, save_profile, store_profile};
use app::testing::fixtures::{category, placed_order, product, staff_actor, variant_ids};
use app::testing::TestDatabase;

fn berlin_shop() -> StoreProfileForm {
    StoreProfileForm {
        store_name: "Linen & Co".into(),
        contact_email: "help@linen.example".into(),
        contact_address: "Hauptstraße 1\r\n10115 Berlin".into(),
        time_zone: "Europe/Berlin".into(),
        mail_from: "Linen & Co <orders@linen.example>".into(),
        order_number_prefix: "ln-".into(),
    }
}

#[tokio::test]
async fn the_store_settings_are_checked_saved_audited_and_used_by_new_orders_and_receipts() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let cases = [
        (
            StoreProfileForm {
                store_name: " ".into(),
                ..berlin_shop()
            },
            "store_name",
        ),
        (
            StoreProfileForm {
                store_name: "x".repeat(10 * 1024),
                ..berlin_shop()
            },
            "store_name",
        ),
        (
            StoreProfileForm {
                contact_email: "not an email".into(),
                ..berlin_shop()
            },
            "contact_email",
        ),
        (
            StoreProfileForm {
                time_zone: "Mars/Olympus".into(),
                ..berlin_shop()
            },
            "time_zone",
        ),
        (
            StoreProfileForm {
                time_zone: "Europe/Berlin\u{0}".into(),
                ..berlin_shop()
            },
            "time_zone",
        ),
        (
            StoreProfileForm {
                mail_from: "Shop <orders>".into(),
                ..berlin_shop()
            },
            "mail_from",
        ),
        (
            StoreProfileForm {
                order_number_prefix: "TOO-LONG-PREFIX".into(),
                ..berlin_shop()
            },
            "order_number_prefix",
        ),
        (
            StoreProfileForm {
                order_number_prefix: "A B".into(),
                ..berlin_shop()
            },
            "order_number_prefix",
        ),
    ];
    for (form, field) in cases {
        match save_profile(pool, &staff_actor(), &form).await {
            Err(AppError::InvalidFields(errors)) => {
                assert_eq!(errors[0].field, field, "{errors:?}")
            }
            other => panic!("{field}: expected a field error, got {other:?}"),
        }
    }
    let untouched = store_profile(&mut pool.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        (untouched.store_name, untouched.order_number_prefix.as_str()),
        (None, "ST-")
    );

    save_profile(pool, &staff_actor(), &berlin_shop())
        .await
        .unwrap();
    let view = profile_view(pool, "Configured name").await.unwrap();
    assert_eq!(view.form.store_name, "Linen & Co");
    assert_eq!(view.form.contact_address, "Hauptstraße 1\n10115 Berlin");
    assert_eq!(view.form.order_number_prefix, "LN-");
    let audited: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(audited, ["settings.store"]);

    let tops = category(pool, "tops", None).await;
    let shirt = product(pool, tops, "linen-shirt", "Linen Shirt", "", &[(2000, 5)]).await;
    let variant = variant_ids(pool, shirt).await[0];
    let order = placed_order(pool, &[(variant, 1)]).await;
    assert!(order.number.starts_with("LN-"), "{}", order.number);
    sqlx::query("UPDATE orders SET placed_at = '2026-12-01T08:30:00Z' WHERE id = $1")
        .bind(order.id)
        .execute(pool)
        .await
        .unwrap();
    let receipt = app::orders::receipt::order_receipt(pool, &order.number.to_lowercase(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        receipt.placed_at, "2026-12-01 09:30 CET",
        "Berlin is UTC+1 in winter"
    );
    db.drop_database().await;
}
