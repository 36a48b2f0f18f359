//! Shipping and tax by zone against a real database: an address finds its zone (postal
//! prefixes before whole countries, then the rest of the world, else none), the checkout
//! offers only the methods of the destination's zones, rates by weight and value bands
//! price the parcel, taxable shipping is taxed, and with prices including tax two zones
//! with different rates charge the same and record different tax.

use app::checkout::quote::{checkout_quotes, Destination};
use app::kernel::error::AppError;
use app::orders::place::{place_order, OrderRequest};
use app::pricing::rates::zone_for_address;
use app::testing::fixtures::manual_order_request;
use app::testing::fixtures::{category, product, tax_rate, variant_ids};
use app::testing::TestDatabase;
use sqlx::PgPool;
use uuid::Uuid;

async fn zone(pool: &PgPool, name: &str, areas: &[(&str, &str)], shipping_taxable: bool) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO shipping_zones (name, shipping_taxable) VALUES ($1, $2) RETURNING id",
    )
    .bind(name)
    .bind(shipping_taxable)
    .fetch_one(pool)
    .await
    .unwrap();
    for (country, prefix) in areas {
        sqlx::query("INSERT INTO zone_areas (zone_id, country, postal_prefix) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(country)
            .bind(prefix)
            .execute(pool)
            .await
            .unwrap();
    }
    id
}

async fn method(
    pool: &PgPool,
    code: &str,
    zone_id: i64,
    basis: &str,
    price: i64,
    bands: &[(i64, i64)],
) {
    sqlx::query(
        "INSERT INTO shipping_methods (code, name, price_minor, zone_id, rate_basis, position)
         VALUES ($1, initcap($1), $2, $3, $4, 0)",
    )
    .bind(code)
    .bind(price)
    .bind(zone_id)
    .bind(basis)
    .execute(pool)
    .await
    .unwrap();
    for (from, price) in bands {
        sqlx::query(
            "INSERT INTO shipping_rate_bands (method_code, from_amount, price_minor) VALUES ($1, $2, $3)",
        )
        .bind(code)
        .bind(from)
        .bind(price)
        .execute(pool)
        .await
        .unwrap();
    }
}

async fn zone_rate(pool: &PgPool, zone_id: i64, tax_category: &str, rate_bp: i32) {
    sqlx::query(
        "INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
         SELECT $1, id, $3 FROM tax_categories WHERE name = $2",
    )
    .bind(zone_id)
    .bind(tax_category)
    .bind(rate_bp)
    .execute(pool)
    .await
    .unwrap();
}

/// A cart with `quantity` of a 119.00 product weighing 800 g.
async fn cart_of(pool: &PgPool, quantity: i64) -> Uuid {
    let shoes = category(pool, "shoes", None).await;
    let id = product(pool, shoes, "boots", "Boots", "", &[(11_900, 50)]).await;
    sqlx::query("UPDATE products SET weight_grams = 800 WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let variant = variant_ids(pool, id).await[0];
    let cart = app::cart::repo::create_cart(pool).await.unwrap();
    app::cart::repo::add_to_cart(
        pool,
        cart,
        variant,
        app::cart::model::Quantity::parse(quantity).unwrap(),
    )
    .await
    .unwrap();
    cart
}

fn to(cart: Uuid, country: &str, postal_code: &str, method: &str) -> OrderRequest {
    let mut request = manual_order_request(cart, "shopper@example.com");
    request.address.country = country.into();
    request.address.postal_code = postal_code.into();
    request.shipping_method = method.into();
    request
}

#[tokio::test]
async fn an_address_belongs_to_its_most_precise_zone_then_the_rest_of_the_world() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let uk = zone(pool, "United Kingdom", &[("GB", "")], false).await;
    let highlands = zone(pool, "Highlands", &[("GB", "IV"), ("GB", "KW")], false).await;
    let mut connection = pool.acquire().await.unwrap();
    let zone_of = |country: &'static str, postal: &'static str| {
        let pool = pool.clone();
        async move {
            let mut connection = pool.acquire().await.unwrap();
            zone_for_address(&mut connection, country, postal)
                .await
                .unwrap()
                .map(|z| z.name)
        }
    };
    assert_eq!(zone_of("GB", "iv1 2ab").await.as_deref(), Some("Highlands"));
    assert_eq!(
        zone_of("GB", "SW1A 1AA").await.as_deref(),
        Some("United Kingdom")
    );
    assert_eq!(zone_of("FR", "75001").await.as_deref(), Some("Everywhere"));
    sqlx::query("DELETE FROM shipping_methods")
        .execute(&mut *connection)
        .await
        .unwrap();
    sqlx::query("DELETE FROM shipping_zones WHERE rest_of_world")
        .execute(&mut *connection)
        .await
        .unwrap();
    assert_eq!(
        zone_of("FR", "75001").await,
        None,
        "no zone holds France now"
    );
    assert!(uk != highlands);
    drop(connection);
    db.drop_database().await;
}

#[tokio::test]
async fn the_checkout_offers_the_methods_of_the_destination_and_prices_the_parcel() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let germany = zone(pool, "Germany", &[("DE", "")], false).await;
    // By weight: up to 2 kg 4.95, from 2 kg 8.95; by value: 9.95, free from 300.00.
    method(
        pool,
        "dhl-parcel",
        germany,
        "weight",
        0,
        &[(0, 495), (2000, 895)],
    )
    .await;
    method(
        pool,
        "dhl-value",
        germany,
        "order_value",
        0,
        &[(0, 995), (30_000, 0)],
    )
    .await;
    let shipping_to_germany = |cart: Uuid| async move {
        let quoted = checkout_quotes(pool, cart, Destination::Country("DE"))
            .await
            .unwrap();
        assert_eq!(quoted.not_delivered, None);
        quoted
            .quotes
            .iter()
            .map(|q| (q.method.code.clone(), q.totals.shipping_minor))
            .collect::<Vec<_>>()
    };
    let two_pairs = cart_of(pool, 2).await;
    // 2 × 800 g = 1.6 kg; 238.00 of goods.
    assert_eq!(
        shipping_to_germany(two_pairs).await,
        [
            ("dhl-parcel".to_owned(), 495),
            ("dhl-value".to_owned(), 995)
        ]
    );
    let three_pairs = cart_of_more(pool, two_pairs).await;
    // 2.4 kg and 357.00.
    assert_eq!(
        shipping_to_germany(three_pairs).await,
        [("dhl-parcel".to_owned(), 895), ("dhl-value".to_owned(), 0)]
    );

    // The rest of the world still has the store's standard and express methods.
    let elsewhere = checkout_quotes(pool, three_pairs, Destination::Country("US"))
        .await
        .unwrap();
    let codes: Vec<&str> = elsewhere
        .quotes
        .iter()
        .map(|q| q.method.code.as_str())
        .collect();
    assert_eq!(codes, ["standard", "express"]);

    // A German address cannot be sent by a method of another zone.
    let refused = place_order(pool, &to(three_pairs, "DE", "10115", "standard")).await;
    assert!(
        matches!(&refused, Err(AppError::InvalidInput(m)) if m.contains("Germany") && m.contains("Dhl-Parcel")),
        "{refused:?}"
    );
    let placed = place_order(pool, &to(three_pairs, "DE", "10115", "dhl-parcel"))
        .await
        .unwrap();
    let shipping: i64 = sqlx::query_scalar("SELECT shipping_minor FROM orders WHERE id = $1")
        .bind(placed.id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(shipping, 895);
    db.drop_database().await;
}

/// Adds one more unit to the cart.
async fn cart_of_more(pool: &PgPool, cart: Uuid) -> Uuid {
    let variant: i64 = sqlx::query_scalar("SELECT variant_id FROM cart_lines WHERE cart_id = $1")
        .bind(cart)
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE cart_lines SET quantity = 3 WHERE cart_id = $1 AND variant_id = $2")
        .bind(cart)
        .bind(variant)
        .execute(pool)
        .await
        .unwrap();
    cart
}

#[tokio::test]
async fn prices_including_tax_charge_the_same_in_two_zones_and_record_each_zones_tax() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    sqlx::query("UPDATE store_settings SET prices_include_tax = true")
        .execute(pool)
        .await
        .unwrap();
    tax_rate(pool, "Standard", 0).await;
    let germany = zone(pool, "Germany", &[("DE", "")], true).await;
    let france = zone(pool, "France", &[("FR", "")], false).await;
    zone_rate(pool, germany, "Standard", 1900).await;
    zone_rate(pool, france, "Standard", 2000).await;
    method(pool, "de-post", germany, "flat", 595, &[]).await;
    method(pool, "fr-poste", france, "flat", 595, &[]).await;

    let to_germany = cart_of(pool, 1).await;
    let berlin = place_order(pool, &to(to_germany, "DE", "10115", "de-post"))
        .await
        .unwrap();
    let variant: i64 = sqlx::query_scalar("SELECT id FROM product_variants LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap();
    let to_france = app::cart::repo::create_cart(pool).await.unwrap();
    app::cart::repo::add_to_cart(
        pool,
        to_france,
        variant,
        app::cart::model::Quantity::parse(1).unwrap(),
    )
    .await
    .unwrap();
    let paris = place_order(pool, &to(to_france, "FR", "75001", "fr-poste"))
        .await
        .unwrap();
    let totals = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (i64, i64, i32)>(
                "SELECT o.total_minor, o.tax_minor, l.tax_rate_bp
                 FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // Both pay 119.00 + 5.95. Germany: 19.00 in the boots and 0.95 in the taxed shipping
    // (5.95 × 19 / 119); France: 19.83 (119 × 20 / 120), shipping untaxed there.
    assert_eq!(totals(berlin.id).await, (12_495, 1900 + 95, 1900));
    assert_eq!(totals(paris.id).await, (12_495, 1983, 2000));
    db.drop_database().await;
}

#[tokio::test]
async fn a_product_or_its_category_picks_the_tax_category_and_an_address_outside_every_zone_is_refused(
) {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    tax_rate(pool, "Standard", 2000).await;
    let reduced = tax_rate(pool, "Reduced", 700).await;
    let cart = cart_of(pool, 1).await;
    sqlx::query("UPDATE categories SET tax_category_id = $1 WHERE slug = 'shoes'")
        .bind(reduced)
        .execute(pool)
        .await
        .unwrap();
    let quoted = checkout_quotes(pool, cart, Destination::Country("US"))
        .await
        .unwrap();
    // Exclusive: 7 % of 119.00 = 8.33.
    assert_eq!(quoted.quotes[0].totals.tax_minor, 833);
    let zero_rated = tax_rate(pool, "Zero", 0).await;
    sqlx::query("UPDATE products SET tax_category_id = $1")
        .bind(zero_rated)
        .execute(pool)
        .await
        .unwrap();
    let quoted = checkout_quotes(pool, cart, Destination::Country("US"))
        .await
        .unwrap();
    assert_eq!(
        quoted.quotes[0].totals.tax_minor, 0,
        "the product's own wins"
    );

    sqlx::query("UPDATE shipping_zones SET rest_of_world = false")
        .execute(pool)
        .await
        .unwrap();
    zone(pool, "Home", &[("US", "")], false).await;
    let quoted = checkout_quotes(pool, cart, Destination::Country("FR"))
        .await
        .unwrap();
    assert!(quoted.quotes.is_empty());
    assert_eq!(
        quoted.not_delivered.as_deref(),
        Some("We do not deliver to France. Choose another country or contact us.")
    );
    let refused = place_order(pool, &to(cart, "FR", "75001", "standard")).await;
    assert!(
        matches!(&refused, Err(AppError::InvalidInput(m)) if m.contains("We do not deliver to France")),
        "{refused:?}"
    );
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(orders, 0);
    db.drop_database().await;
}
