//! The demo seed: a realistic catalog in an empty store, never over an existing one.

use app::testing::TestDatabase;
use stoa_server::cli::seed::{seed_demo_catalog, SeedError};

#[tokio::test]
async fn demo_seed_creates_a_nested_catalog_with_variants_and_images() {
    let db = TestDatabase::new().await;
    assert_eq!(seed_demo_catalog(&db.pool, 200).await.unwrap(), 200);
    let (categories, roots): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE parent_id IS NULL) FROM categories",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((categories, roots), (12, 4));
    let (default_rate, clothing_rate): (i32, i32) = sqlx::query_as(
        "SELECT (SELECT r.rate_bp FROM zone_tax_rates r JOIN tax_categories t ON t.id = r.tax_category_id
                 WHERE t.is_default),
                (SELECT r.rate_bp FROM zone_tax_rates r JOIN categories c ON c.tax_category_id = r.tax_category_id
                 WHERE c.slug = 'clothing')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((default_rate, clothing_rate), (800, 500));
    let (products, without_variants, without_image): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*),
                count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)),
                count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id))
         FROM products p",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((products, without_variants, without_image), (200, 0, 0));
    let wrong_price_range: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM products p WHERE from_price_minor <> (SELECT min(price_minor) FROM product_variants v WHERE v.product_id = p.id)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(wrong_price_range, 0);
    let options_mismatch: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM product_variants v JOIN products p ON p.id = v.product_id
         WHERE cardinality(v.option_values) <> cardinality(p.option_names)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(options_mismatch, 0);

    let again = seed_demo_catalog(&db.pool, 10).await;
    assert!(matches!(again, Err(SeedError::CatalogNotEmpty(200))));
    db.drop_database().await;
}

#[tokio::test]
async fn demo_seed_refuses_counts_out_of_range() {
    let db = TestDatabase::new().await;
    assert!(matches!(
        seed_demo_catalog(&db.pool, 0).await,
        Err(SeedError::BadCount)
    ));
    assert!(matches!(
        seed_demo_catalog(&db.pool, 100_001).await,
        Err(SeedError::BadCount)
    ));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM categories")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    db.drop_database().await;
}
