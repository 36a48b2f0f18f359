//! Catalog domain and SQL behaviour, each test on a fresh PostgreSQL database.

use app::catalog::model::PriceBand;
use app::catalog::query::{ListingRequest, SearchRequest, SortOrder, PAGE_SIZE};
use app::catalog::reads::CatalogReads;
use app::testing::fixtures::{category, product};
use app::testing::TestDatabase;
use std::time::Duration;

/// A store holding one category ("tops") with one product ("Linen Shirt").
async fn store_with_one_linen_shirt() -> TestDatabase {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    product(
        &db.pool,
        tops,
        "linen-shirt",
        "Linen Shirt",
        "",
        &[(3900, 3)],
    )
    .await;
    db
}

fn reads(db: &TestDatabase) -> CatalogReads {
    CatalogReads::new(db.pool.clone(), Duration::ZERO)
}

fn search(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.to_owned(),
        page: 1,
        ..Default::default()
    }
}

fn sql_state(error: sqlx::Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn search_ranks_name_matches_above_description_matches() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    product(
        &db.pool,
        tops,
        "canvas-tote",
        "Canvas Tote",
        "Carries a spare shirt and more.",
        &[(1500, 3)],
    )
    .await;
    product(
        &db.pool,
        tops,
        "linen-shirt",
        "Linen Shirt",
        "Breathable summer classic.",
        &[(3900, 3)],
    )
    .await;
    product(
        &db.pool,
        tops,
        "wool-sweater",
        "Wool Sweater",
        "Warm.",
        &[(5900, 3)],
    )
    .await;

    let results = reads(&db).search(&search("shirt")).await.unwrap();
    let slugs: Vec<_> = results
        .products
        .items
        .iter()
        .map(|p| p.slug.as_str())
        .collect();
    assert_eq!(slugs, ["linen-shirt", "canvas-tote"]);
    assert_eq!(results.products.total_items, 2);
    db.drop_database().await;
}

#[tokio::test]
async fn search_matches_word_prefixes_and_stems() {
    let db = store_with_one_linen_shirt().await;
    let catalog = reads(&db);
    for text in ["shi", "SHIRTS", "linen shi", "lin"] {
        let results = catalog.search(&search(text)).await.unwrap();
        assert_eq!(results.products.total_items, 1, "searching {text:?}");
    }
    assert_eq!(
        catalog
            .search(&search("linen sweater"))
            .await
            .unwrap()
            .products
            .total_items,
        0
    );
    db.drop_database().await;
}

#[tokio::test]
async fn search_text_with_query_syntax_or_sql_is_treated_as_words() {
    let db = store_with_one_linen_shirt().await;
    let catalog = reads(&db);
    for text in [
        "shirt & | ! :* (",
        "shirt'; DROP TABLE products; --",
        "<script>shirt</script>",
        "!!!",
        "a:*b",
    ] {
        let results = catalog.search(&search(text)).await;
        assert!(results.is_ok(), "searching {text:?} must not fail");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    db.drop_database().await;
}

#[tokio::test]
async fn facet_counts_show_what_each_filter_would_give() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let sale = category(&db.pool, "sale", None).await;
    product(
        &db.pool,
        tops,
        "linen-shirt",
        "Linen Shirt",
        "",
        &[(1999, 5)],
    )
    .await;
    product(
        &db.pool,
        tops,
        "oxford-shirt",
        "Oxford Shirt",
        "",
        &[(6500, 2)],
    )
    .await;
    product(
        &db.pool,
        sale,
        "flannel-shirt",
        "Flannel Shirt",
        "",
        &[(3000, 0)],
    )
    .await;
    product(&db.pool, sale, "wool-hat", "Wool Hat", "", &[(1500, 9)]).await;
    let catalog = reads(&db);

    let all = catalog.search(&search("shirt")).await.unwrap();
    assert_eq!(all.products.total_items, 3);
    let counts: Vec<_> = all
        .facets
        .categories
        .iter()
        .map(|f| (f.slug.as_str(), f.count))
        .collect();
    assert_eq!(counts, [("tops", 2), ("sale", 1)]);
    assert_eq!(all.facets.in_stock, 2);
    let bands: Vec<u64> = all.facets.price_bands.iter().map(|b| b.count).collect();
    assert_eq!(bands, [1, 1, 1, 0, 0]);

    // Filtering on stock changes the other facets' counts, not its own.
    let in_stock = catalog
        .search(&SearchRequest {
            in_stock_only: true,
            ..search("shirt")
        })
        .await
        .unwrap();
    assert_eq!(in_stock.products.total_items, 2);
    let counts: Vec<_> = in_stock
        .facets
        .categories
        .iter()
        .map(|f| (f.slug.as_str(), f.count))
        .collect();
    assert_eq!(counts, [("tops", 2)]);
    assert_eq!(in_stock.facets.in_stock, 2);

    // A category filter narrows results and the price bands, but keeps every category's count.
    let sale_only = catalog
        .search(&SearchRequest {
            category_slug: Some("sale".into()),
            ..search("shirt")
        })
        .await
        .unwrap();
    assert_eq!(sale_only.products.total_items, 1);
    assert_eq!(sale_only.facets.categories.len(), 2);
    let bands: Vec<u64> = sale_only
        .facets
        .price_bands
        .iter()
        .map(|b| b.count)
        .collect();
    assert_eq!(bands, [0, 1, 0, 0, 0]);

    // A price band is inclusive at both ends.
    let band = PriceBand {
        min_minor: 1999,
        max_minor: Some(3000),
    };
    let priced = catalog
        .search(&search("shirt").with_price_band(band))
        .await
        .unwrap();
    assert_eq!(priced.products.total_items, 2);
    db.drop_database().await;
}

#[tokio::test]
async fn category_listing_includes_subcategories_and_bounds_pages() {
    let db = TestDatabase::new().await;
    let clothing = category(&db.pool, "clothing", None).await;
    let tops = category(&db.pool, "tops", Some(clothing)).await;
    let bottoms = category(&db.pool, "bottoms", Some(clothing)).await;
    for i in 0..30 {
        let category = if i % 2 == 0 { tops } else { bottoms };
        product(
            &db.pool,
            category,
            &format!("item-{i}"),
            &format!("Item {i}"),
            "",
            &[(1000 + i, 1)],
        )
        .await;
    }
    let catalog = reads(&db);
    let request = |page| ListingRequest {
        category_slug: "clothing".into(),
        sort: SortOrder::Newest,
        page,
    };

    let first = catalog
        .category_listing(&request(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.products.items.len(), PAGE_SIZE as usize);
    assert_eq!(first.products.total_items, 30);
    assert_eq!(first.products.total_pages(), 2);
    assert_eq!(
        first
            .subcategories
            .iter()
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>(),
        ["bottoms", "tops"]
    );

    let second = catalog
        .category_listing(&request(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.products.items.len(), 6);
    assert!(!second.products.is_past_the_end());

    let beyond = catalog
        .category_listing(&request(3))
        .await
        .unwrap()
        .unwrap();
    assert!(beyond.products.items.is_empty());
    assert!(beyond.products.is_past_the_end());
    assert_eq!(beyond.products.total_items, 30);

    let leaf = catalog
        .category_listing(&ListingRequest {
            category_slug: "tops".into(),
            sort: SortOrder::Newest,
            page: 1,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leaf.products.total_items, 15);
    assert_eq!(
        leaf.breadcrumbs
            .iter()
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>(),
        ["clothing", "tops"]
    );

    let unknown = ListingRequest {
        category_slug: "no-such".into(),
        sort: SortOrder::Newest,
        page: 1,
    };
    assert!(catalog.category_listing(&unknown).await.unwrap().is_none());
    db.drop_database().await;
}

#[tokio::test]
async fn listings_sort_by_price_name_and_newest() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    product(&db.pool, tops, "b-shirt", "Bravo Shirt", "", &[(3000, 1)]).await;
    product(&db.pool, tops, "a-shirt", "Alpha Shirt", "", &[(5000, 1)]).await;
    product(&db.pool, tops, "c-shirt", "Charlie Shirt", "", &[(1000, 1)]).await;
    sqlx::query("UPDATE products SET created_at = now() - make_interval(days => id::int)")
        .execute(&db.pool)
        .await
        .unwrap();
    let catalog = reads(&db);
    let order = |sort| {
        let catalog = &catalog;
        async move {
            let listing = catalog
                .category_listing(&ListingRequest {
                    category_slug: "tops".into(),
                    sort,
                    page: 1,
                })
                .await
                .unwrap()
                .unwrap();
            listing
                .products
                .items
                .into_iter()
                .map(|p| p.slug)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        order(SortOrder::PriceLowToHigh).await,
        ["c-shirt", "b-shirt", "a-shirt"]
    );
    assert_eq!(
        order(SortOrder::PriceHighToLow).await,
        ["a-shirt", "b-shirt", "c-shirt"]
    );
    assert_eq!(
        order(SortOrder::Name).await,
        ["a-shirt", "b-shirt", "c-shirt"]
    );
    assert_eq!(
        order(SortOrder::Newest).await,
        ["b-shirt", "a-shirt", "c-shirt"]
    );
    db.drop_database().await;
}

#[tokio::test]
async fn each_variant_has_its_own_price_and_cards_show_the_lowest() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let id = product(
        &db.pool,
        tops,
        "linen-shirt",
        "Linen Shirt",
        "",
        &[(1500, 0), (1000, 4), (2500, 20)],
    )
    .await;
    let catalog = reads(&db);

    let detail = catalog.product("linen-shirt").await.unwrap().unwrap();
    let prices: Vec<i64> = detail
        .variants
        .iter()
        .map(|v| v.price.minor_units)
        .collect();
    assert_eq!(prices, [1500, 1000, 2500]);
    assert_eq!(detail.variant_for(&["S1".to_owned()]).unwrap().stock, 4);
    assert_eq!(
        detail.initial_selection(&[]),
        ["S1"],
        "the first variant in stock is preselected"
    );
    assert_eq!(detail.initial_selection(&[Some("S2".into())]), ["S2"]);
    assert_eq!(detail.initial_selection(&[Some("bogus".into())]), ["S1"]);

    let card = &catalog
        .search(&search("linen"))
        .await
        .unwrap()
        .products
        .items[0];
    assert_eq!(
        (
            card.from_price.minor_units,
            card.has_price_range,
            card.in_stock
        ),
        (1000, true, true)
    );

    // The price range follows variant changes (kept by the database, not by callers).
    sqlx::query("UPDATE product_variants SET price_minor = 3000 WHERE product_id = $1 AND price_minor = 1000")
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE product_variants SET stock = 0 WHERE product_id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    let card = &catalog
        .search(&search("linen"))
        .await
        .unwrap()
        .products
        .items[0];
    assert_eq!((card.from_price.minor_units, card.in_stock), (1500, false));
    db.drop_database().await;
}

#[tokio::test]
async fn unpublished_products_are_invisible_to_shoppers() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let id = product(
        &db.pool,
        tops,
        "secret-shirt",
        "Secret Shirt",
        "",
        &[(1000, 1)],
    )
    .await;
    sqlx::query("UPDATE products SET is_published = false WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    let catalog = reads(&db);
    assert!(catalog.product("secret-shirt").await.unwrap().is_none());
    assert_eq!(
        catalog
            .search(&search("secret"))
            .await
            .unwrap()
            .products
            .total_items,
        0
    );
    let listing = catalog
        .category_listing(&ListingRequest {
            category_slug: "tops".into(),
            sort: SortOrder::Newest,
            page: 1,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(listing.products.total_items, 0);
    db.drop_database().await;
}

#[tokio::test]
async fn the_database_refuses_bad_catalog_states() {
    let db = TestDatabase::new().await;
    let pool = &db.pool;
    let tops = category(pool, "tops", None).await;
    let id = product(pool, tops, "linen-shirt", "Linen Shirt", "", &[(1000, 1)]).await;
    let variant = |sku: &str, price: i64, stock: i32, product_id: i64| {
        sqlx::query("INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock) VALUES ($1, $2, ARRAY['X'], $3, $4)")
            .bind(product_id)
            .bind(sku.to_owned())
            .bind(price)
            .bind(stock)
            .execute(pool)
    };
    assert_eq!(
        sql_state(variant("NEG-STOCK", 100, -1, id).await.unwrap_err()),
        "23514"
    );
    assert_eq!(
        sql_state(variant("NEG-PRICE", -1, 1, id).await.unwrap_err()),
        "23514"
    );
    assert_eq!(
        sql_state(variant("LINEN-SHIRT-0", 100, 1, id).await.unwrap_err()),
        "23505",
        "duplicate SKU"
    );
    assert_eq!(
        sql_state(variant("ORPHAN", 100, 1, 999_999).await.unwrap_err()),
        "23503",
        "unknown product"
    );
    assert_eq!(
        sql_state(variant("lower case", 100, 1, id).await.unwrap_err()),
        "23514",
        "SKU format"
    );
    let stock_below_zero =
        sqlx::query("UPDATE product_variants SET stock = stock - 2 WHERE product_id = $1")
            .bind(id)
            .execute(pool)
            .await;
    assert_eq!(sql_state(stock_below_zero.unwrap_err()), "23514");

    let insert_product = |slug: &str, category_id: i64, currency: &str| {
        sqlx::query(
            "INSERT INTO products (category_id, slug, name, currency) VALUES ($1, $2, 'Name', $3)",
        )
        .bind(category_id)
        .bind(slug.to_owned())
        .bind(currency.to_owned())
        .execute(pool)
    };
    assert_eq!(
        sql_state(
            insert_product("linen-shirt", tops, "USD")
                .await
                .unwrap_err()
        ),
        "23505",
        "duplicate slug"
    );
    assert_eq!(
        sql_state(insert_product("Bad Slug", tops, "USD").await.unwrap_err()),
        "23514"
    );
    assert_eq!(
        sql_state(insert_product("ok-slug", 999_999, "USD").await.unwrap_err()),
        "23503"
    );
    assert_eq!(
        sql_state(insert_product("ok-slug", tops, "usd").await.unwrap_err()),
        "23514"
    );
    let duplicate_category =
        sqlx::query("INSERT INTO categories (slug, name) VALUES ('tops', 'Again')")
            .execute(pool)
            .await;
    assert_eq!(sql_state(duplicate_category.unwrap_err()), "23505");
    let in_use = sqlx::query("DELETE FROM categories WHERE id = $1")
        .bind(tops)
        .execute(pool)
        .await;
    assert_eq!(
        sql_state(in_use.unwrap_err()),
        "23503",
        "a category with products cannot be deleted"
    );

    let stock: i32 = sqlx::query_scalar("SELECT stock FROM product_variants WHERE product_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(stock, 1, "failed statements changed nothing");
    db.drop_database().await;
}
