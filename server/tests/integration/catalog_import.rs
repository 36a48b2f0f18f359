//! The CSV import against a real database: products by slug and variants by SKU created,
//! then updated; any wrong row (in the file or against the store) writes nothing and is
//! reported at its line.

use crate::support::spawn_app_with;
use app::catalog::manage::import::import_csv;

const HEADER: &str =
    "sku,product_slug,product_name,category_slug,price,stock,option_names,option_values\n";

#[tokio::test]
async fn an_import_creates_then_updates_by_slug_and_sku_and_a_wrong_row_writes_nothing() {
    let app = spawn_app_with(None, None).await;
    app::testing::fixtures::category(&app.db.pool, "tops", None).await;
    let actor = app::audit::Actor {
        id: 1,
        email: "owner@shop.example".to_owned(),
        client_address: "127.0.0.1".to_owned(),
    };
    let first = format!(
        "{HEADER}tee-s,tee,Tee,tops,9.99,5,Size,S\nTEE-M,tee,Tee,tops,9.99,0,Size,M\nCAP-1,cap,Cap,tops,15.00,2,,\n"
    );
    let report = import_csv(&app.db.pool, &actor, first.as_bytes())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.created_products, report.created_variants), (2, 3));
    let again = format!("{HEADER}TEE-S,tee,Tee,tops,12.50,4,Size,S\n");
    let report = import_csv(&app.db.pool, &actor, again.as_bytes())
        .await
        .unwrap();
    assert_eq!((report.updated_products, report.updated_variants), (1, 1));
    let (price, stock): (i64, i32) =
        sqlx::query_as("SELECT price_minor, stock FROM product_variants WHERE sku = 'TEE-S'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((price, stock), (1250, 4));
    let import_movements = app
        .count("SELECT count(*) FROM stock_movements WHERE reason = 'import'")
        .await;
    assert_eq!(import_movements, 3, "5, 2, then 5 to 4");

    let wrong = format!(
        "{HEADER}NEW-1,new,New,tops,1.00,1,,\nCAP-1,tee,Tee,tops,9.99,5,Size,L\nNEW-2,new,New,hats,1.00,1,,\nNEW-3,new,New,tops,1.00,-4,,\n"
    );
    let report = import_csv(&app.db.pool, &actor, wrong.as_bytes())
        .await
        .unwrap();
    let lines: Vec<(u64, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0].0, 3);
    assert!(
        lines[0].1.contains("belongs to the product cap"),
        "{lines:?}"
    );
    assert_eq!(lines[1].0, 4);
    assert!(lines[1].1.contains("no category hats"), "{lines:?}");
    assert_eq!(lines[2].0, 5);
    assert!(lines[2].1.starts_with("stock:"), "{lines:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM products WHERE slug = 'new'")
            .await,
        0,
        "nothing of a wrong file is written"
    );
    app.db.drop_database().await;
}
