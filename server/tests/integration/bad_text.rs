//! No input makes the server answer 5xx: NUL, other control characters and invalid UTF-8
//! sent to every registered server function and to the plain routes and pages that read
//! text from their address, as an anonymous visitor and as the owner (so that staff
//! functions reach their input, not only their role check).

use crate::support::{png_of, spawn_app, Shopper, TestApp};
use app::accounts::model::Role;
use axum::http::StatusCode;

/// Percent-encoded, as a browser or a client would send them in a form or an address.
const BAD_TEXTS: [&str; 5] = ["a%00b", "%00", "a%01b%1Fc%7F", "%FF%FEa", "a%0D%0Ab%09%1B"];

/// Arguments whose type is not text get a valid value, so that the text ones are read.
const VALID_NON_TEXT: &str = "id=1&on=false&variant_id=1&request[page]=1&request[sort]=Relevance\
    &request[in_stock_only]=false&form[order_id]=1&form[variant_id]=1&form[category_id]=1";

/// Every text argument of the server functions, by the name a form gives it.
const TEXT_ARGUMENTS: &[&str] = &[
    "search",
    "message",
    "number",
    "email",
    "password",
    "name",
    "token",
    "next",
    "visibility",
    "role",
    "quantity",
    "threshold",
    "slug",
    "filter[search]",
    "filter[category]",
    "filter[status]",
    "filter[from]",
    "filter[to]",
    "filter[customer]",
    "filter[min_total]",
    "filter[max_total]",
    "filter[entity_type]",
    "filter[entity_id]",
    "filter[actor]",
    "request[text]",
    "request[category_slug]",
    "request[price_min]",
    "request[price_max]",
    "form[url]",
    "form[secret]",
    "form[carrier]",
    "form[tracking_number]",
    "form[amount]",
    "form[reason]",
    "form[request_key]",
    "form[change]",
    "form[note]",
    "form[name]",
    "form[email]",
    "form[role]",
    "form[slug]",
    "form[description]",
    "form[option_names]",
    "form[idempotency_key]",
    "form[line1]",
    "form[line2]",
    "form[city]",
    "form[postal_code]",
    "form[country]",
    "form[shipping_method]",
    "form[payment_method]",
    "form[card_number]",
    "form[card_expiry]",
    "form[card_cvc]",
    "address[name]",
    "address[line1]",
    "address[line2]",
    "address[city]",
    "address[postal_code]",
    "address[country]",
];

/// Pages and plain routes that read text from their path or query; `{}` is the bad text.
const ADDRESSES: &[&str] = &[
    "/{}",
    "/product/{}",
    "/category/{}",
    "/search?q={}&category={}&price_min={}&price_max={}&page={}&sort={}&in_stock={}",
    "/order/{}",
    "/order-status?number={}&email={}",
    "/account/login?next={}",
    "/account/verify?token={}",
    "/account/reset?token={}",
    "/admin/products?search={}&status={}&category={}&before={}",
    "/admin/products/{}",
    "/admin/stock?search={}",
    "/admin/customers?search={}",
    "/admin/customers/{}",
    "/admin/customers/{}/data.json",
    "/admin/orders?customer={}&status={}&from={}&to={}&min_total={}&max_total={}",
    "/admin/orders/{}",
    "/admin/audit?actor={}&entity_id={}&entity_type={}",
    "/admin/import?report={}",
    "/account/data.json?x={}",
    "/admin/catalog/export.csv?x={}",
    "/media/placeholder/{}",
    "/healthz?x={}",
];

fn bad_form(bad: &str) -> String {
    let texts: Vec<String> = TEXT_ARGUMENTS
        .iter()
        .map(|name| format!("{name}={bad}"))
        .collect();
    format!("{VALID_NON_TEXT}&{}", texts.join("&"))
}

/// Every registered server function; those that end a session or an account last.
fn server_functions() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let ends_something = |path: &String| {
        ["logout", "delete", "erase"]
            .iter()
            .any(|word| path.contains(word))
    };
    paths.sort_by_key(|path| (ends_something(path), path.clone()));
    paths
}

const OWNER_EMAIL: &str = "owner@shop.example";
const OWNER_PASSWORD: &str = "staff password 12";

async fn create_owner(app: &TestApp) {
    let address = app::kernel::email::EmailAddress::parse(OWNER_EMAIL).unwrap();
    app::accounts::repo::create_staff(&app.db.pool, &address, "", Role::Owner, OWNER_PASSWORD)
        .await
        .unwrap();
}

/// A new session logged in as the owner.
async fn logged_in_owner(app: &TestApp) -> Shopper {
    let mut owner = Shopper::default();
    owner.log_in(app, OWNER_EMAIL, OWNER_PASSWORD).await;
    owner
}

/// The owner, created and logged in.
async fn owner(app: &TestApp) -> Shopper {
    create_owner(app).await;
    logged_in_owner(app).await
}

fn record_server_error(failures: &mut Vec<String>, what: String, status: StatusCode, body: &str) {
    if status.is_server_error() {
        let start: String = body.chars().take(120).collect();
        failures.push(format!("{what} → {status}: {start}"));
    }
}

#[tokio::test]
async fn no_text_sent_to_any_server_function_gets_a_5xx() {
    let app = spawn_app().await;
    let paths = server_functions();
    assert!(
        paths.len() >= 50,
        "the server functions are registered: {paths:?}"
    );
    let mut failures = Vec::new();
    create_owner(&app).await;
    for caller in ["anonymous", "owner"] {
        for bad in BAD_TEXTS {
            // A new session each round: the previous round may have logged out.
            let mut visitor = match caller {
                "owner" => logged_in_owner(&app).await,
                _ => Shopper::default(),
            };
            for path in &paths {
                let reply = visitor.post(&app, path, &bad_form(bad)).await;
                record_server_error(
                    &mut failures,
                    format!("{caller} POST {path} with {bad}"),
                    reply.status,
                    &reply.body,
                );
            }
        }
    }
    assert_eq!(failures, Vec::<String>::new());
    app.db.drop_database().await;
}

#[tokio::test]
async fn no_text_in_an_address_gets_a_5xx() {
    let app = spawn_app().await;
    let mut failures = Vec::new();
    let mut owner = owner(&app).await;
    let mut anonymous = Shopper::default();
    for bad in BAD_TEXTS {
        for address in ADDRESSES {
            let path = address.replace("{}", bad);
            for (caller, visitor) in [("anonymous", &mut anonymous), ("owner", &mut owner)] {
                let reply = visitor.get(&app, &path).await;
                record_server_error(
                    &mut failures,
                    format!("{caller} GET {path}"),
                    reply.status,
                    &reply.body,
                );
            }
        }
    }
    assert_eq!(failures, Vec::<String>::new());
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_nul_in_text_is_refused_with_400_before_it_reaches_the_database() {
    let app = spawn_app().await;
    let mut shopper = Shopper::default();
    for (path, form) in [
        ("/api/account/login", "email=a%00@example.com&password=x"),
        ("/api/orders/lookup", "number=ST-1%00&email=a@example.com"),
    ] {
        let reply = shopper.post(&app, path, form).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            reply.body
        );
        assert!(reply.body.contains("NUL"), "{path}: {}", reply.body);
    }
    let mut owner = owner(&app).await;
    for page in ["/admin/stock?search=%00", "/admin/audit?actor=a%00"] {
        let reply = owner.get(&app, page).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{page}");
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn uploads_whose_text_holds_nul_or_control_characters_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let mut owner = owner(&app).await;
    let product: i64 = sqlx::query_scalar("SELECT id FROM products ORDER BY id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let images_before = app.count("SELECT count(*) FROM product_images").await;
    for alt_text in [b"a\0b".as_slice(), b"a\x1bb".as_slice()] {
        let image = owner
            .post_multipart(
                &app,
                &format!("/admin/products/{product}/images"),
                &[
                    ("file", Some("a.png"), &png_of(10, 10)),
                    ("alt_text", None, alt_text),
                ],
            )
            .await;
        assert_eq!(image.status, StatusCode::SEE_OTHER, "{}", image.body);
        let location = image.headers["location"].to_str().unwrap();
        assert!(location.contains("image_error="), "{location}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM product_images").await,
        images_before
    );
    let products_before = app.count("SELECT count(*) FROM products").await;
    let csv = owner
        .post_multipart(
            &app,
            "/admin/catalog/import",
            &[(
                "file",
                Some("catalog.csv"),
                b"sku,product_slug,product_name,category_slug,price,stock\nA\0B,new-thing,New,clothing,1.00,1\n"
                    .as_slice(),
            )],
        )
        .await;
    assert_eq!(csv.status, StatusCode::SEE_OTHER, "{}", csv.body);
    assert_eq!(
        app.count("SELECT count(*) FROM products").await,
        products_before
    );
    app.db.drop_database().await;
}
