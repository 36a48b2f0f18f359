//! Shipping and tax set from the staff area against a real database: bad input is
//! refused field by field and changes nothing, zones cannot share an area or both hold the
//! rest of the world, the last active shipping method cannot be turned off, a category's
//! tax category reaches its subcategories, every change is audited, and what the checkout
//! reads (`pricing::rates`) changes with it.

use crate::support::spawn_app_with;
use app::kernel::error::AppError;
use app::pricing::model::{
    CategoryTaxForm, ShippingMethodForm, TaxCategoryForm, TaxSettingsForm, ZoneForm, ZoneRatesForm,
};
use app::pricing::rates::{shipping_methods, store_settings, zone_for_address, TaxRates};
use app::pricing::settings::{
    add_tax_category, save_method, save_tax, save_zone, save_zone_rates, set_category_tax,
};

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

/// The zone the migrations create for an existing store.
const EVERYWHERE: &str = "1";

fn method(code: &str, name: &str, price: &str, active: bool) -> ShippingMethodForm {
    ShippingMethodForm {
        code: code.to_owned(),
        name: name.to_owned(),
        zone_id: EVERYWHERE.to_owned(),
        basis: "flat".to_owned(),
        price: price.to_owned(),
        active: active.then(|| "on".to_owned()),
        ..ShippingMethodForm::default()
    }
}

fn zone_form(name: &str, areas: &str) -> ZoneForm {
    ZoneForm {
        name: name.to_owned(),
        areas: areas.to_owned(),
        ..ZoneForm::default()
    }
}

#[tokio::test]
async fn zones_and_their_tax_rates_change_what_the_checkout_reads_and_bad_input_changes_nothing() {
    let app = spawn_app_with(None, None).await;
    let pool = &app.db.pool;
    let included = TaxSettingsForm {
        prices_include_tax: Some("on".to_owned()),
    };
    save_tax(pool, &owner(), &included).await.unwrap();
    let mut connection = pool.acquire().await.unwrap();
    assert!(
        store_settings(&mut connection)
            .await
            .unwrap()
            .prices_include_tax
    );

    let mut europe = zone_form("Europe", "de, FR, gb: iv kw");
    europe.shipping_taxable = Some("on".to_owned());
    let europe_id = save_zone(pool, &owner(), &europe).await.unwrap();
    for (bad, field) in [
        (zone_form("", "NL"), "name"),
        (zone_form("Nowhere", "XX"), "areas"),
        (zone_form("Nowhere", "GB: IV-1"), "areas"),
        (zone_form("Nowhere", ""), "areas"),
        (zone_form("Nul\u{0}", "NL"), "name"),
        (zone_form("Again", "NL, DE"), "areas"),
        (zone_form("europe", "NL"), "name"),
        (
            ZoneForm {
                rest_of_world: Some("on".to_owned()),
                ..zone_form("World two", "")
            },
            "rest_of_world",
        ),
    ] {
        let refused = save_zone(pool, &owner(), &bad).await.unwrap_err();
        assert_eq!(fields_of(refused), [field], "{bad:?}");
    }
    let zones: i64 = app.count("SELECT count(*) FROM shipping_zones").await;
    assert_eq!(
        zones, 2,
        "Everywhere and Europe, nothing from refused forms"
    );
    let zone_of = |country: &'static str, postal: &'static str| {
        let pool = pool.clone();
        async move {
            let mut connection = pool.acquire().await.unwrap();
            zone_for_address(&mut connection, country, postal)
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(zone_of("DE", "10115").await.name, "Europe");
    assert_eq!(zone_of("GB", "IV1 2AB").await.name, "Europe");
    assert_eq!(zone_of("GB", "SW1A 1AA").await.name, "Everywhere");

    let reduced = add_tax_category(
        pool,
        &owner(),
        &TaxCategoryForm {
            name: "Reduced".to_owned(),
        },
    )
    .await
    .unwrap();
    let twice = add_tax_category(
        pool,
        &owner(),
        &TaxCategoryForm {
            name: "Reduced".to_owned(),
        },
    )
    .await;
    assert_eq!(fields_of(twice.unwrap_err()), ["name"]);
    let standard: i64 = app
        .count("SELECT id FROM tax_categories WHERE is_default")
        .await;
    let rates = |standard_rate: &str, reduced_rate: &str| ZoneRatesForm {
        zone_id: europe_id,
        rates: [
            (standard.to_string(), standard_rate.to_owned()),
            (reduced.to_string(), reduced_rate.to_owned()),
        ]
        .into(),
    };
    save_zone_rates(pool, &owner(), &rates("20", "5,5 %"))
        .await
        .unwrap();
    for bad in ["101", "8.125", "abc", "8\u{0}", "-5"] {
        let refused = save_zone_rates(pool, &owner(), &rates(bad, "5"))
            .await
            .unwrap_err();
        assert_eq!(fields_of(refused), [format!("rate_{standard}")], "{bad:?}");
    }

    let clothing = app::testing::fixtures::category(pool, "clothing", None).await;
    let tops = app::testing::fixtures::category(pool, "tops", Some(clothing)).await;
    let give = |class: String| CategoryTaxForm {
        category_id: clothing,
        tax_category_id: class,
    };
    set_category_tax(pool, &owner(), &give(reduced.to_string()))
        .await
        .unwrap();
    let europe_zone = zone_of("FR", "75001").await;
    let europe_rates = TaxRates::load(&mut connection, &europe_zone).await.unwrap();
    assert_eq!(
        (
            europe_rates.rate_for(None, tops),
            europe_rates.rate_for(Some(standard), tops),
            europe_rates.shipping_rate_bp()
        ),
        (550, 2000, 2000),
        "a subcategory takes its parent's; a product's own wins; shipping is taxed in Europe"
    );
    assert_eq!(
        fields_of(
            set_category_tax(pool, &owner(), &give("999999".to_owned()))
                .await
                .unwrap_err()
        ),
        ["tax_category_id"]
    );
    set_category_tax(pool, &owner(), &give(String::new()))
        .await
        .unwrap();
    let europe_rates = TaxRates::load(&mut connection, &europe_zone).await.unwrap();
    assert_eq!(
        europe_rates.rate_for(None, tops),
        2000,
        "back to the default"
    );

    let overview = app::pricing::settings::overview(pool).await.unwrap();
    let shown = overview.zones.iter().find(|z| z.name == "Europe").unwrap();
    assert_eq!(shown.areas, "DE, FR, GB: IV KW");
    assert_eq!(shown.rates, ["20", "5.5"]);
    assert!(
        overview
            .categories
            .iter()
            .any(|c| c.category == "Clothing › Tops"),
        "{:?}",
        overview.categories
    );
    let audited = app
        .count(
            "SELECT count(*) FROM audit_log WHERE action IN ('settings.tax', 'zone.add', 'zone.change',
             'tax_category.add', 'tax_rates.set', 'category.tax_category')",
        )
        .await;
    assert_eq!(audited, 6, "one entry per change, none for refused ones");
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
    let offered = shipping_methods(&mut connection, &[1]).await.unwrap();
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
    let mut no_zone = method("", "By weight", "", true);
    no_zone.zone_id = "999999".to_owned();
    no_zone.basis = "weight".to_owned();
    no_zone.bands = "0 4.95\n2 kg 8.95".to_owned();
    assert_eq!(
        fields_of(save_method(pool, &owner(), &no_zone).await.unwrap_err()),
        ["bands"]
    );
    no_zone.bands = "0 4.95\n2000 8.95".to_owned();
    assert_eq!(
        fields_of(save_method(pool, &owner(), &no_zone).await.unwrap_err()),
        ["zone_id"]
    );
    let mut by_weight = no_zone.clone();
    by_weight.zone_id = EVERYWHERE.to_owned();
    by_weight.bands = "2000 8.95\n0 4.95\n".to_owned();
    let by_weight_code = save_method(pool, &owner(), &by_weight).await.unwrap();
    let saved = shipping_methods(&mut connection, &[1]).await.unwrap();
    let saved = saved.iter().find(|m| m.code == by_weight_code).unwrap();
    assert_eq!(
        saved
            .bands
            .iter()
            .map(|b| (b.from, b.price_minor))
            .collect::<Vec<_>>(),
        [(0, 495), (2000, 895)]
    );
    by_weight.code = by_weight_code.clone();
    by_weight.active = None;
    save_method(pool, &owner(), &by_weight).await.unwrap();

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
    let offered = shipping_methods(&mut connection, &[1]).await.unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].code, "standard");
    let missing = save_method(pool, &owner(), &method("teleport", "Teleport", "1", true)).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))));
    let audited = app
        .count("SELECT count(*) FROM audit_log WHERE action LIKE 'shipping_method.%'")
        .await;
    assert_eq!(audited, 6);
    drop(connection);
    app.db.drop_database().await;
}
