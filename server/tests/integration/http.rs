//! HTTP behaviour of the router that `stoa serve` runs, on a fresh seeded database.

use crate::support::{spawn_app, spawn_app_with};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

#[tokio::test]
async fn storefront_pages_render_with_title_description_and_canonical_link() {
    let app = spawn_app().await;
    let slug = app.first_product_slug().await;
    for (path, title) in [
        ("/".to_owned(), "<title>Stoa</title>".to_owned()),
        (
            "/category/clothing".to_owned(),
            "<title>Clothing · Stoa</title>".to_owned(),
        ),
        (
            "/search?q=shirt".to_owned(),
            "<title>Search results for “shirt” · Stoa</title>".to_owned(),
        ),
        (format!("/product/{slug}"), "· Stoa</title>".to_owned()),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.body.contains(&title), "{path} has title {title}");
        assert!(
            reply.body.contains(r#"<meta name="description""#),
            "{path} has a description"
        );
        let canonical = reply
            .body
            .split("<link ")
            .find(|tag| tag.contains(r#"rel="canonical""#));
        assert!(
            canonical.is_some_and(|tag| tag.contains(r#"href="https://shop.example/"#)),
            "{path} has a canonical link on the public URL"
        );
        assert!(reply.body.contains(r#"<html lang="en">"#));
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn unknown_addresses_and_slugs_answer_404_with_the_not_found_page() {
    let app = spawn_app().await;
    for path in [
        "/no-such-page",
        "/category/no-such",
        "/category/Not%20A%20Slug",
        "/product/no-such",
        "/product/%3Cscript%3E",
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(reply.body.contains("Page not found"), "{path}");
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn malformed_query_parameters_give_a_normal_page_with_notices() {
    let app = spawn_app().await;
    let long_q = "shirt".repeat(2048);
    for query in [
        "/category/tops?page=-1".to_owned(),
        "/category/tops?page=abc".to_owned(),
        "/category/tops?sort=%27%3B%20DROP".to_owned(),
        "/search?q=shirt&page=-1".to_owned(),
        "/search?q=shirt&price_min=xyz".to_owned(),
        format!("/search?q={long_q}"),
    ] {
        let reply = app.get(&query).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert!(
            reply.body.contains(r#"class="notice""#),
            "{query} explains what was ignored"
        );
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn html_and_sql_in_search_text_are_rendered_inert() {
    let app = spawn_app().await;
    let reply = app
        .get("/search?q=%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%27%20OR%201%3D1%20--")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    if let Some(at) = reply.body.find("<script>alert(1)</script>") {
        panic!(
            "unescaped script: …{}…",
            &reply.body[at.saturating_sub(300)..(at + 100).min(reply.body.len())]
        );
    }
    assert!(reply.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let products: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(products, 48);
    app.db.drop_database().await;
}

#[tokio::test]
async fn product_page_shows_the_preselected_variant_and_honours_a_requested_one() {
    let app = spawn_app().await;
    let (slug, sku, value): (String, String, String) = sqlx::query_as(
        "SELECT p.slug, v.sku, v.option_values[1] FROM products p JOIN product_variants v ON v.product_id = p.id
         WHERE cardinality(p.option_names) = 1 ORDER BY p.id, v.position DESC LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let reply = app.get(&format!("/product/{slug}?o0={value}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .body
            .contains(&format!(r#"<span data-testid="sku">{sku}</span>"#)),
        "requested variant is shown"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn health_and_readiness_report_the_database_and_schema() {
    let app = spawn_app_with(None, None).await;
    let health = app.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert!(ready.body.contains(&format!(
        "\"schema_version\":{}",
        app::kernel::db::latest_known_migration()
    )));

    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let unready = app.get("/readyz").await;
    assert_eq!(unready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(unready.body.contains("schema"));

    app.db.pool.close().await;
    let unreachable = app.get("/readyz").await;
    assert_eq!(unreachable.status, StatusCode::SERVICE_UNAVAILABLE);
    app.db.drop_database().await;
}

#[tokio::test]
async fn server_functions_reject_bad_input_with_4xx_and_accept_good_input() {
    let app = spawn_app().await;
    let ok = app.post_form("/api/catalog/search", "request[text]=shirt&request[page]=1&request[sort]=Relevance&request[in_stock_only]=false").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("\"total_items\""));

    let long_text = "x".repeat(300);
    for (path, form, expected) in [
        ("/api/catalog/search", format!("request[text]={long_text}&request[page]=1&request[sort]=Relevance&request[in_stock_only]=false"), StatusCode::BAD_REQUEST),
        ("/api/catalog/search", "request[text]=a&request[page]=0&request[sort]=Relevance&request[in_stock_only]=false".to_owned(), StatusCode::BAD_REQUEST),
        ("/api/catalog/search", "request[text]=a&request[page]=abc&request[sort]=Relevance&request[in_stock_only]=false".to_owned(), StatusCode::BAD_REQUEST),
        ("/api/catalog/search", "request[text]=a&request[page]=1&request[sort]=Bogus&request[in_stock_only]=false".to_owned(), StatusCode::BAD_REQUEST),
        ("/api/catalog/search", "request[text]=a&request[page]=1&request[sort]=Relevance&request[in_stock_only]=false&request[price_min_minor]=-5".to_owned(), StatusCode::BAD_REQUEST),
        ("/api/catalog/category", "request[category_slug]=tops&request[sort]=Relevance&request[page]=1".to_owned(), StatusCode::BAD_REQUEST),
        ("/api/catalog/category", "request[category_slug]=..%2F..&request[sort]=Newest&request[page]=1".to_owned(), StatusCode::NOT_FOUND),
        ("/api/catalog/product", "slug=%3Cscript%3E".to_owned(), StatusCode::NOT_FOUND),
        ("/api/catalog/product", String::new(), StatusCode::BAD_REQUEST),
    ] {
        let reply = app.post_form(path, &form).await;
        assert_eq!(reply.status, expected, "{path} {form}: {}", reply.body);
        assert!(!reply.body.is_empty());
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn pages_are_compressed_when_the_browser_accepts_it() {
    let app = spawn_app().await;
    for encoding in ["br", "gzip"] {
        let reply = app
            .send(
                Request::get("/category/clothing")
                    .header(header::ACCEPT_ENCODING, encoding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.headers.get(header::CONTENT_ENCODING).unwrap(),
            encoding
        );
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn built_assets_are_served_with_a_cache_policy() {
    let root = std::env::temp_dir().join(format!("stoa-site-{}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/stoa.css"), "body{}").unwrap();
    std::fs::write(root.join("favicon.svg"), "<svg/>").unwrap();
    let app = spawn_app_with(None, Some(&root)).await;
    let css = app.get("/pkg/stoa.css").await;
    assert_eq!(css.status, StatusCode::OK);
    // Test binaries have no hash.txt beside them, so names are unhashed: revalidate.
    assert_eq!(css.headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    assert_eq!(app.get("/favicon.svg").await.status, StatusCode::OK);

    // A precompressed copy is sent as is to browsers that accept it.
    std::fs::write(root.join("pkg/stoa.css.br"), "brotli bytes").unwrap();
    let brotli = app
        .send(
            Request::get("/pkg/stoa.css")
                .header(header::ACCEPT_ENCODING, "br, gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(brotli.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    assert_eq!(brotli.body, "brotli bytes");
    assert_eq!(
        app.get("/pkg/missing.js").await.status,
        StatusCode::NOT_FOUND
    );

    // A chunk of an earlier build, archived when that build was started, is still served
    // to a tab opened before the deploy; the current build's file wins over an archived one.
    let archive = stoa_server::assets::archive_dir(&root, "pkg");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::write(archive.join("stoa.earlier.wasm"), "earlier build").unwrap();
    std::fs::write(archive.join("stoa.css"), "archived copy").unwrap();
    let earlier = app.get("/pkg/stoa.earlier.wasm").await;
    assert_eq!(earlier.status, StatusCode::OK);
    assert_eq!(earlier.body, "earlier build");
    assert_eq!(app.get("/pkg/stoa.css").await.body, "body{}");
    std::fs::remove_dir_all(&root).ok();
    std::fs::remove_dir_all(archive.parent().unwrap()).ok();
    app.db.drop_database().await;
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let app = spawn_app_with(None, None).await;
    let huge = format!(
        "slug={}",
        "a".repeat(stoa_server::router::MAX_REQUEST_BODY_BYTES + 1)
    );
    // Declared too large: refused before the body is read.
    let declared = Request::post("/api/catalog/product")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, huge.len())
        .header(header::ORIGIN, crate::support::STORE_ORIGIN)
        .body(Body::from(huge.clone()))
        .unwrap();
    assert_eq!(
        app.send(declared).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Streamed without a length: reading stops at the limit and the request is refused.
    let streamed = app.post_form("/api/catalog/product", &huge).await;
    assert!(streamed.status.is_client_error(), "got {}", streamed.status);
    app.db.drop_database().await;
}

#[tokio::test]
async fn placeholder_images_are_generated_svg_and_refuse_odd_names() {
    let app = spawn_app_with(None, None).await;
    let image = app.get("/media/placeholder/linen-shirt.svg").await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(
        image.headers.get(header::CONTENT_TYPE).unwrap(),
        "image/svg+xml"
    );
    assert!(image.body.starts_with("<svg"));
    assert_eq!(
        app.get("/media/placeholder/..%2Fetc.svg").await.status,
        StatusCode::NOT_FOUND
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn state_changing_requests_from_other_sites_are_refused() {
    let app = spawn_app_with(None, None).await;
    let post = |origin: Option<&str>, referer: Option<&str>| {
        let mut request = Request::post("/api/cart/add")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(referer) = referer {
            request = request.header(header::REFERER, referer);
        }
        request.body(Body::from("variant_id=1&quantity=1")).unwrap()
    };
    for (origin, referer) in [
        (Some("https://evil.example"), None),
        (Some("http://shop.example"), None),
        (None, Some("https://evil.example/page")),
        (None, None),
    ] {
        let reply = app.send(post(origin, referer)).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "origin {origin:?} referer {referer:?}"
        );
    }
    let by_referer = app
        .send(post(None, Some("https://shop.example/product/x")))
        .await;
    assert_ne!(
        by_referer.status,
        StatusCode::FORBIDDEN,
        "a same-site Referer is enough"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM carts").await,
        0,
        "refused requests change nothing"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn pages_and_server_functions_carry_security_headers() {
    let app = spawn_app().await;
    let page = app.get("/category/clothing").await;
    let header_policy = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        header_policy.contains("frame-ancestors 'none'")
            && header_policy.contains("object-src 'none'"),
        "{header_policy}"
    );
    let policy = page_policy_in(&page.body);
    assert!(
        page.body.find("http-equiv=\"Content-Security-Policy\"") < page.body.find("<script"),
        "the page's policy comes before any script"
    );
    assert!(
        policy.contains("default-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(nonce.len() >= 16, "{nonce}");
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        page.body
            .matches(&format!("<script nonce=\"{nonce}\""))
            .count()
            + page
                .body
                .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count(),
        scripts,
        "every script on the page carries this response's nonce"
    );
    let other = app.get("/category/clothing").await;
    assert_ne!(
        page_policy_in(&other.body),
        policy,
        "a new nonce per response"
    );

    let api = app.post_form("/api/catalog/product", "slug=nope").await;
    for reply in [&page, &api] {
        assert_eq!(
            reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert_eq!(
            reply.headers.get(header::REFERRER_POLICY).unwrap(),
            "strict-origin-when-cross-origin"
        );
        assert!(reply.headers.get(header::CONTENT_SECURITY_POLICY).is_some());
        assert_eq!(
            reply
                .headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .unwrap(),
            "max-age=31536000; includeSubDomains",
            "the test store is configured on https"
        );
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn the_checkout_with_an_empty_cart_is_a_normal_page() {
    let app = spawn_app_with(None, None).await;
    let reply = app.get("/checkout").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("Your cart is empty."));
    assert!(
        !reply.body.contains("name=\"form[idempotency_key]\""),
        "no form to submit"
    );
    // Placing an order still refuses an empty cart.
    let key = "0b7c4e8e-2f0a-4a57-9d6b-4bb6c1a1d3f0";
    let placed = app
        .post_form(
            "/api/checkout/place-order",
            &crate::support::checkout_form(key, ""),
        )
        .await;
    assert_eq!(placed.status, StatusCode::BAD_REQUEST, "{}", placed.body);
    assert!(placed.body.contains("Your cart is empty"));
    app.db.drop_database().await;
}

/// The Content-Security-Policy a page carries in its `<head>`.
fn page_policy_in(body: &str) -> String {
    let meta = body
        .split("http-equiv=\"Content-Security-Policy\"")
        .nth(1)
        .expect("the page carries its policy");
    let content = meta.split("content=\"").nth(1).unwrap();
    content.split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_staging_copy_says_so_on_every_page_and_production_does_not() {
    let staging = crate::support::spawn_app_in(Some(4), None, "staging").await;
    for path in ["/", "/cart", "/account/login", "/no-such-page"] {
        let page = staging.get(path).await;
        assert!(
            page.body.contains("data-testid=\"staging-banner\""),
            "{path}"
        );
    }
    staging.db.drop_database().await;
    let production = crate::support::spawn_app_in(Some(4), None, "production").await;
    assert!(!production.get("/").await.body.contains("staging-banner"));
    production.db.drop_database().await;
}
