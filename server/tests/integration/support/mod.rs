//! Shared by the HTTP test files: the real router on a fresh database, and a shopper
//! that keeps its session cookie between requests.
#![allow(dead_code)]

use app::kernel::encoding::percent_encode;
use app::testing::TestDatabase;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::collections::HashMap;
use stoa_server::cli::seed::seed_demo_catalog;
use stoa_server::cli::serve::app_state;
use stoa_server::config::Config;
use stoa_server::router::build_router;
use tower::ServiceExt;

/// The public URL the test app is configured with; browsers send it as `Origin`.
pub const STORE_ORIGIN: &str = "https://shop.example";

pub struct TestApp {
    pub router: Router,
    pub db: TestDatabase,
    /// Where this app keeps uploaded images (a fresh temporary directory).
    pub media_dir: std::path::PathBuf,
}

pub async fn spawn_app_with(
    seed_products: Option<u32>,
    site_root: Option<&std::path::Path>,
) -> TestApp {
    spawn_app_in(seed_products, site_root, "development").await
}

/// The app as configured for `environment` (development, staging or production).
pub async fn spawn_app_in(
    seed_products: Option<u32>,
    site_root: Option<&std::path::Path>,
    environment: &str,
) -> TestApp {
    spawn_configured(seed_products, site_root, environment, &[], |_| {}).await
}

/// The app with more settings (`extra` environment variables), and its state adjusted by
/// `adjust` before the router is built.
pub async fn spawn_configured(
    seed_products: Option<u32>,
    site_root: Option<&std::path::Path>,
    environment: &str,
    extra: &[(&str, &str)],
    adjust: impl FnOnce(&mut stoa_server::state::AppState),
) -> TestApp {
    let db = TestDatabase::new().await;
    if let Some(count) = seed_products {
        seed_demo_catalog(&db.pool, count).await.expect("seed");
    }
    let mut env = HashMap::from([
        (
            "DATABASE_URL".to_owned(),
            "postgres://postgres@127.0.0.1/unused".to_owned(),
        ),
        ("STOA_CATALOG_CACHE_SECS".to_owned(), "0".to_owned()),
        (
            "STOA_PUBLIC_URL".to_owned(),
            "https://shop.example".to_owned(),
        ),
        ("STOA_ENV".to_owned(), environment.to_owned()),
    ]);
    let media_dir =
        std::env::temp_dir().join(format!("stoa-test-media-{}", uuid::Uuid::new_v4().simple()));
    env.insert(
        "STOA_MEDIA_DIR".to_owned(),
        media_dir.to_string_lossy().to_string(),
    );
    if let Some(root) = site_root {
        env.insert(
            "STOA_SITE_ROOT".to_owned(),
            root.to_string_lossy().to_string(),
        );
    }
    for (name, value) in extra {
        env.insert((*name).to_owned(), (*value).to_owned());
    }
    let config = Config::from_lookup(|name| env.get(name).cloned()).unwrap();
    let mut state = app_state(&config, db.pool.clone());
    adjust(&mut state);
    TestApp {
        router: build_router(state),
        db,
        media_dir,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Some(48), None).await
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            self.router.clone().oneshot(request),
        )
        .await
        .expect("the server answers within 30 seconds")
        .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_form(&self, uri: &str, form: &str) -> Reply {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::ORIGIN, STORE_ORIGIN)
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
    }

    pub async fn first_product_slug(&self) -> String {
        sqlx::query_scalar("SELECT slug FROM products ORDER BY id LIMIT 1")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }
}

/// A browser-like client: sends its session cookie and keeps the one the server sets.
#[derive(Clone, Default)]
pub struct Shopper {
    pub cookie: Option<String>,
}

impl Shopper {
    /// A page or download, with this shopper's session.
    pub async fn get(&mut self, app: &TestApp, path: &str) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie.clone());
        }
        let reply = app.send(request.body(Body::empty()).unwrap()).await;
        self.keep_cookie(&reply);
        reply
    }

    fn keep_cookie(&mut self, reply: &Reply) {
        if let Some(set_cookie) = reply.headers.get(header::SET_COOKIE) {
            let pair = set_cookie
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned();
            self.cookie = Some(pair);
        }
    }

    /// A multipart form post, as a browser sends a form with a file.
    pub async fn post_multipart(
        &mut self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, Option<&str>, &[u8])],
    ) -> Reply {
        let boundary = "stoa-test-boundary-7d93";
        let mut body = Vec::new();
        for (name, file_name, content) in fields {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file_name {
                Some(file_name) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut request = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::ORIGIN, STORE_ORIGIN);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie.clone());
        }
        let reply = app.send(request.body(Body::from(body)).unwrap()).await;
        self.keep_cookie(&reply);
        reply
    }

    pub async fn post(&mut self, app: &TestApp, path: &str, form: &str) -> Reply {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, STORE_ORIGIN);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie.clone());
        }
        let reply = app
            .send(request.body(Body::from(form.to_owned())).unwrap())
            .await;
        self.keep_cookie(&reply);
        reply
    }
}

/// A complete checkout form for `key`, paying with `card`: a test card's number, a Stripe
/// payment method (`pm_…`) or confirmed payment intent (`pi_…`), or manually when empty.
pub fn checkout_form(key: &str, card: &str) -> String {
    let mut fields = vec![
        ("idempotency_key", key),
        ("email", "shopper@example.com"),
        ("name", "Ada Lovelace"),
        ("line1", "12 Analytical Row"),
        ("line2", ""),
        ("city", "London"),
        ("postal_code", "SW1A 1AA"),
        ("country", "GB"),
        ("shipping_method", "standard"),
    ];
    if card.is_empty() {
        fields.push(("payment_method", "manual"));
    } else if ["pm_", "card_", "tok_"].iter().any(|p| card.starts_with(p)) {
        fields.extend([
            ("payment_method", "stripe"),
            ("stripe_payment_method", card),
        ]);
    } else if card.starts_with("pi_") {
        fields.extend([
            ("payment_method", "stripe"),
            ("stripe_payment_intent", card),
        ]);
    } else {
        fields.extend([
            ("payment_method", "test-card"),
            ("card_number", card),
            ("card_expiry", "12/39"),
            ("card_cvc", "123"),
        ]);
    }
    fields
        .iter()
        .map(|(k, v)| format!("form[{k}]={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl TestApp {
    /// A published product with one variant of this stock; returns the variant id.
    pub async fn variant_with_stock(&self, stock: i32) -> i64 {
        use app::testing::fixtures::{category, product, variant_ids};
        let slug = format!("cat-{}", uuid::Uuid::new_v4().simple());
        let category_id = category(&self.db.pool, &slug, None).await;
        let product_slug = format!("item-{}", uuid::Uuid::new_v4().simple());
        let id = product(
            &self.db.pool,
            category_id,
            &product_slug,
            "Hot Item",
            "",
            &[(2500, stock)],
        )
        .await;
        variant_ids(&self.db.pool, id).await[0]
    }

    pub async fn stock_of(&self, variant: i64) -> i64 {
        i64::from(app::testing::fixtures::stock_of(&self.db.pool, variant).await)
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }
}

impl Shopper {
    /// Adds units to the cart, then opens the checkout and returns its idempotency key.
    pub async fn fill_cart_and_open_checkout(
        &mut self,
        app: &TestApp,
        variant: i64,
        quantity: u32,
    ) -> String {
        let added = self
            .post(
                app,
                "/api/cart/add",
                &format!("variant_id={variant}&quantity={quantity}"),
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let page = self.post(app, "/api/checkout/page", "").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let page: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        page["idempotency_key"].as_str().unwrap().to_owned()
    }
}

impl Shopper {
    pub async fn add_to_cart(&mut self, app: &TestApp, variant: i64, quantity: u32) -> Reply {
        self.post(
            app,
            "/api/cart/add",
            &format!("variant_id={variant}&quantity={quantity}"),
        )
        .await
    }
}

/// Each shopper submits its checkout form (`(shopper, form)`) at the same moment; the
/// replies come back in the same order.
pub async fn submit_all_at_once(
    app: &std::sync::Arc<TestApp>,
    submissions: Vec<(Shopper, String)>,
) -> Vec<Reply> {
    let tasks: Vec<_> = submissions
        .into_iter()
        .map(|(mut shopper, form)| {
            let app = app.clone();
            tokio::spawn(
                async move { shopper.post(&app, "/api/checkout/place-order", &form).await },
            )
        })
        .collect();
    let mut replies = Vec::with_capacity(tasks.len());
    for task in tasks {
        replies.push(task.await.expect("the request task finished"));
    }
    replies
}

/// A confirmed customer account, made through the domain (registration and its link).
pub async fn customer_account(app: &TestApp, email: &str, password: &str) -> i64 {
    let address = app::kernel::email::EmailAddress::parse(email).unwrap();
    app::accounts::repo::register(&app.db.pool, "", &address, password, STORE_ORIGIN)
        .await
        .unwrap();
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox_emails WHERE kind = 'verify_email' AND recipient = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(address.as_str())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let start = body.find("token=").unwrap() + "token=".len();
    app::accounts::repo::confirm_email(&app.db.pool, &body[start..start + 64])
        .await
        .unwrap()
        .id
}

impl Shopper {
    /// Logs in through the login server function; panics unless it succeeds.
    pub async fn log_in(&mut self, app: &TestApp, email: &str, password: &str) {
        let reply = self
            .post(
                app,
                "/api/account/login",
                &format!(
                    "email={}&password={}",
                    percent_encode(email),
                    percent_encode(password)
                ),
            )
            .await;
        assert!(
            reply.status.is_success() || reply.status.is_redirection(),
            "login failed: {} {}",
            reply.status,
            reply.body
        );
    }
}

/// A PNG image of this size, as a camera or an editor would save it.
pub fn png_of(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(width, height)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}
