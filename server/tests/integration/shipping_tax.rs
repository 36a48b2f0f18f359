//! Shipping and tax set from the staff area against a real database: bad input is
//! refused field by field and changes nothing, the last active shipping method cannot be
//! turned off, a category's rate reaches its subcategories, every change is audited, and
//! what the checkout reads (`pricing::rates`) changes with it.

use crate::support::spawn_app_with;
use app::kernel::error::AppError;
use app::pricing::model::{CategoryRateForm, ShippingMethodForm, TaxSettingsForm};
use app::pricing::rates::{shipping_methods, store_settings, TaxRates};
use app::pricing::settings::{save_method, save_tax, set_category_rate};

fn owner() -> app::audit::Actor {
    app::audit::Actor {
        id: 1,
        email: "owner@shop.example".to_owned(),
        client_address: "127.0.0.1".to_owned(),
    }
}

fn fields_of(error: AppError) -> Vec<String> {
    match error {
        AppError::InvalidFields(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn method(code: &str, name: &str, price: &str, active: bool) -> ShippingMethodForm {
    ShippingMethodForm {
        code: code.to_owned(),
        name: name.to_owned(),
        price: price.to_owned(),
        free_over: String::new(),
        position: String::new(),
        active: active.then(|| "on".to_owned()),
    }
}

#[tokio::test]
async fn tax_settings_change_what_the_checkout_reads_and_bad_rates_change_nothing() {
    let app = spawn_app_with(None, None).await;
    let pool = &app.db.pool;
    let included = TaxSettingsForm {
        prices_include_tax: Some("on".to_owned()),
        default_rate: "20".to_owned(),
    };
    save_tax(pool, &owner(), &included).await.unwrap();
    for bad in ["101", "8.125", "abc", "8\u{0}", "-5", ""] {
        let form = TaxSettingsForm {
            prices_include_tax: None,
            default_rate: bad.to_owned(),
        };
        let refused = save_tax(pool, &owner(), &form).await.unwrap_err();
        assert_eq!(fields_of(refused), ["default_rate"], "{bad:?}");
    }
    let mut connection = pool.acquire().await.unwrap();
    let settings = store_settings(&mut connection).await.unwrap();
    assert_eq!(
        (settings.prices_include_tax, settings.default_tax_rate_bp),
        (true, 2000)
    );

    let clothing = app::testing::fixtures::category(pool, "clothing", None).await;
    let tops = app::testing::fixtures::category(pool, "tops", Some(clothing)).await;
    let five = CategoryRateForm {
        category_id: clothing,
        rate: "5,5 %".to_owned(),
    };
    set_category_rate(pool, &owner(), &five).await.unwrap();
    let rates = TaxRates::load(&mut connection, 2000).await.unwrap();
    assert_eq!(
        rates.rate_for(tops),
        550,
        "a subcategory takes its parent's rate"
    );
    let unknown = CategoryRateForm {
        category_id: 999_999,
        rate: "5".to_owned(),
    };
    assert_eq!(
        fields_of(
            set_category_rate(pool, &owner(), &unknown)
                .await
                .unwrap_err()
        ),
        ["category_id"]
    );
    let removed = CategoryRateForm {
        category_id: clothing,
        rate: String::new(),
    };
    set_category_rate(pool, &owner(), &removed).await.unwrap();
    let rates = TaxRates::load(&mut connection, 2000).await.unwrap();
    assert_eq!(rates.rate_for(tops), 2000, "back to the default");

    let overview = app::pricing::settings::overview(pool).await.unwrap();
    assert_eq!(overview.default_rate, "20");
    assert!(
        overview
            .categories
            .iter()
            .any(|(_, path)| path == "Clothing › Tops"),
        "{:?}",
        overview.categories
    );
    let audited = app
        .count("SELECT count(*) FROM audit_log WHERE action IN ('settings.tax', 'tax_rate.set', 'tax_rate.remove')")
        .await;
    assert_eq!(audited, 3, "one entry per change, none for refused ones");
    drop(connection);
    app.db.drop_database().await;
}

#[tokio::test]
async fn shipping_methods_are_added_changed_and_turned_off_but_never_the_last_active_one() {
    let app = spawn_app_with(None, None).await;
    let pool = &app.db.pool;
    let mut cheaper = method("standard", "Standard delivery", "5.95", true);
    cheaper.free_over = "100".to_owned();
    save_method(pool, &owner(), &cheaper).await.unwrap();
    let pickup = save_method(pool, &owner(), &method("", "Pick up in store", "0", true))
        .await
        .unwrap();
    assert_eq!(pickup, "pick-up-in-store");
    let mut connection = pool.acquire().await.unwrap();
    let offered = shipping_methods(&mut connection).await.unwrap();
    let codes: Vec<&str> = offered.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(
        codes,
        ["standard", "express", "pick-up-in-store"],
        "a new method goes last"
    );
    assert_eq!(
        (offered[0].price_minor, offered[0].free_over_minor),
        (595, Some(10_000))
    );

    let twice = save_method(pool, &owner(), &method("", "Pick up in store", "1", true)).await;
    assert_eq!(fields_of(twice.unwrap_err()), ["name"]);
    let mut wrong = method("", "Cargo\u{0}bike", "-1", true);
    wrong.free_over = "4.999".to_owned();
    wrong.position = "lots".to_owned();
    let refused = fields_of(save_method(pool, &owner(), &wrong).await.unwrap_err());
    assert_eq!(refused, ["name", "price", "free_over", "position"]);

    save_method(
        pool,
        &owner(),
        &method("express", "Express", "14.95", false),
    )
    .await
    .unwrap();
    save_method(
        pool,
        &owner(),
        &method(&pickup, "Pick up in store", "0", false),
    )
    .await
    .unwrap();
    let last = save_method(
        pool,
        &owner(),
        &method("standard", "Standard delivery", "5.95", false),
    )
    .await;
    assert_eq!(
        fields_of(last.unwrap_err()),
        ["active"],
        "someone must be able to check out"
    );
    let offered = shipping_methods(&mut connection).await.unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].code, "standard");
    let missing = save_method(pool, &owner(), &method("teleport", "Teleport", "1", true)).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))));
    let audited = app
        .count("SELECT count(*) FROM audit_log WHERE action LIKE 'shipping_method.%'")
        .await;
    assert_eq!(audited, 4);
    drop(connection);
    app.db.drop_database().await;
}
