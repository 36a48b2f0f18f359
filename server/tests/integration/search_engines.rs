//! What search engines read: robots.txt naming the sitemap, a sitemap index, the
//! categories that lead to published products, and every published product once.

use crate::support::{spawn_app, STORE_ORIGIN};
use axum::http::StatusCode;

fn locations(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_pages() {
    let app = spawn_app().await;
    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {STORE_ORIGIN}/sitemap.xml")),
        "{}",
        robots.body
    );
    for private in ["Disallow: /admin", "Disallow: /api/", "Disallow: /checkout"] {
        assert!(robots.body.contains(private), "{private}: {}", robots.body);
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_sitemaps_list_every_published_product_once_and_only_categories_that_hold_some() {
    let app = spawn_app().await;
    sqlx::query("INSERT INTO categories (slug, name) VALUES ('empty-shelf', 'Empty shelf')")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let hidden: String = sqlx::query_scalar(
        "UPDATE products SET is_published = false
         WHERE id = (SELECT min(id) FROM products) RETURNING slug",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();

    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.starts_with("<?xml"), "{}", index.body);
    assert_eq!(
        locations(&index.body),
        [
            format!("{STORE_ORIGIN}/sitemap/categories.xml"),
            format!("{STORE_ORIGIN}/sitemap/products/1.xml")
        ]
    );

    let products = app.get("/sitemap/products/1.xml").await;
    assert_eq!(products.status, StatusCode::OK);
    let listed = locations(&products.body);
    let published: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM products WHERE is_published ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert!(published.len() > 1);
    assert_eq!(
        listed,
        published
            .iter()
            .map(|slug| format!("{STORE_ORIGIN}/product/{slug}"))
            .collect::<Vec<_>>()
    );
    assert!(!products.body.contains(&format!("/product/{hidden}<")));
    assert!(products.body.trim_end().ends_with("</urlset>"));

    let categories = app.get("/sitemap/categories.xml").await;
    let listed = locations(&categories.body);
    assert!(listed.contains(&format!("{STORE_ORIGIN}/")));
    assert!(!listed
        .iter()
        .any(|url| url.ends_with("/category/empty-shelf")));
    let holding: i64 = app
        .count(
            "SELECT count(DISTINCT c.id) FROM categories c
             WHERE EXISTS (SELECT 1 FROM products p WHERE p.is_published AND p.category_id = c.id)",
        )
        .await;
    assert!(
        listed.len() as i64 > holding,
        "the home page, and each category holding products"
    );

    for missing in [
        "/sitemap/products/2.xml",
        "/sitemap/products/0.xml",
        "/sitemap/products/abc",
    ] {
        assert_eq!(
            app.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    app.db.drop_database().await;
}
