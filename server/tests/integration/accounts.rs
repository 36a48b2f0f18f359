//! Accounts over HTTP against the real router: session ids renewed at login and logout,
//! login throttling, answers that never reveal whether an email is registered, the
//! authorisation matrix of every staff server function, data downloads, and user text
//! rendered inert.

use crate::support::{customer_account, png_of, spawn_app, spawn_app_with, Shopper, TestApp};
use app::accounts::model::Role;
use app::kernel::encoding::percent_encode;
use axum::http::{header, StatusCode};

const PASSWORD: &str = "plum orchard lantern";

async fn staff_account(app: &TestApp, email: &str, role: Role) {
    let address = app::kernel::email::EmailAddress::parse(email).unwrap();
    app::accounts::repo::create_staff(&app.db.pool, &address, "", role, "staff password 12")
        .await
        .unwrap();
}

fn login_form(email: &str, password: &str) -> String {
    format!(
        "email={}&password={}",
        percent_encode(email),
        percent_encode(password)
    )
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_the_old_id_is_not_logged_in() {
    let app = spawn_app_with(Some(4), None).await;
    customer_account(&app, "ada@example.com", PASSWORD).await;
    let mut shopper = Shopper::default();
    let variant = app.variant_with_stock(10).await;
    shopper.add_to_cart(&app, variant, 2).await;
    let before_login = shopper.cookie.clone().expect("a guest session");

    shopper.log_in(&app, "ada@example.com", PASSWORD).await;
    let after_login = shopper.cookie.clone().unwrap();
    assert_ne!(before_login, after_login, "login renews the session id");
    let overview = shopper.post(&app, "/api/account/overview", "").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert!(overview.body.contains("ada@example.com"));
    let cart = shopper.post(&app, "/api/cart/view", "").await;
    assert!(
        cart.body.contains("\"item_count\":2"),
        "the guest cart came along: {}",
        cart.body
    );

    let mut planted = Shopper {
        cookie: Some(before_login),
    };
    let old_id = planted.post(&app, "/api/account/overview", "").await;
    assert_eq!(old_id.status, StatusCode::UNAUTHORIZED, "{}", old_id.body);

    let out = shopper.post(&app, "/api/account/logout", "").await;
    assert!(out.status.is_success() || out.status.is_redirection());
    let mut stale = Shopper {
        cookie: Some(after_login),
    };
    let after_logout = stale.post(&app, "/api/account/overview", "").await;
    assert_eq!(after_logout.status, StatusCode::UNAUTHORIZED);
    let cart = stale.post(&app, "/api/cart/view", "").await;
    assert!(
        cart.body.contains("\"item_count\":0"),
        "logging out leaves the cart with the account: {}",
        cart.body
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn failed_logins_are_limited_and_the_limit_lifts_after_its_window() {
    let app = spawn_app_with(None, None).await;
    customer_account(&app, "ada@example.com", PASSWORD).await;
    let wrong = app
        .post_form(
            "/api/account/login",
            &login_form("ada@example.com", "wrong password"),
        )
        .await;
    let unknown = app
        .post_form(
            "/api/account/login",
            &login_form("nobody@example.com", "wrong password"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (wrong.status, &wrong.body),
        (unknown.status, &unknown.body),
        "an unknown email answers exactly like a wrong password"
    );

    for _ in 1..10 {
        let reply = app
            .post_form(
                "/api/account/login",
                &login_form("ada@example.com", "wrong password"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let locked = app
        .post_form(
            "/api/account/login",
            &login_form("ada@example.com", PASSWORD),
        )
        .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        locked.body.contains("Try again in 15 minutes"),
        "{}",
        locked.body
    );

    // The window passes (the failures age), and the right password works and clears them.
    sqlx::query("UPDATE failed_attempts SET attempted_at = now() - interval '16 minutes'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let mut shopper = Shopper::default();
    shopper.log_in(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(
        app.count("SELECT count(*) FROM failed_attempts WHERE scope = 'login_account' AND key = 'ada@example.com'")
            .await,
        0
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn registration_and_reset_answer_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app_with(None, None).await;
    customer_account(&app, "ada@example.com", PASSWORD).await;
    let register = |email: &str| {
        format!(
            "name=Someone&email={}&password={}",
            percent_encode(email),
            percent_encode("another long phrase")
        )
    };
    let known = app
        .post_form("/api/account/register", &register("ada@example.com"))
        .await;
    let new = app
        .post_form("/api/account/register", &register("new@example.com"))
        .await;
    assert_eq!(known.status, new.status);
    assert_eq!(known.body, new.body);
    assert_eq!(
        known.headers.get("serverfnredirect"),
        new.headers.get("serverfnredirect")
    );

    let known = app
        .post_form("/api/account/forgot", "email=ada%40example.com")
        .await;
    let unknown = app
        .post_form("/api/account/forgot", "email=nobody%40example.com")
        .await;
    assert_eq!((known.status, known.body), (unknown.status, unknown.body));
    assert_eq!(
        app.count("SELECT count(*) FROM outbox_emails WHERE kind = 'password_reset'")
            .await,
        1,
        "only the real account got a link"
    );

    let weak = app
        .post_form(
            "/api/account/register",
            "name=&email=x%40example.com&password=password1",
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("common"), "{}", weak.body);
    assert_eq!(
        app.count("SELECT count(*) FROM accounts WHERE email = 'x@example.com'")
            .await,
        0
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_password_change_logs_out_the_accounts_other_sessions() {
    let app = spawn_app_with(None, None).await;
    customer_account(&app, "ada@example.com", PASSWORD).await;
    let mut laptop = Shopper::default();
    let mut phone = Shopper::default();
    laptop.log_in(&app, "ada@example.com", PASSWORD).await;
    phone.log_in(&app, "ada@example.com", PASSWORD).await;
    let before = laptop.cookie.clone();
    let changed = laptop
        .post(
            &app,
            "/api/account/password",
            &format!(
                "current_password={}&new_password=violet+kettle+song",
                percent_encode(PASSWORD)
            ),
        )
        .await;
    assert!(
        changed.status.is_success() || changed.status.is_redirection(),
        "{}",
        changed.body
    );
    assert_ne!(
        laptop.cookie, before,
        "the changing session gets a new id too"
    );
    assert_eq!(
        laptop.post(&app, "/api/account/overview", "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        phone.post(&app, "/api/account/overview", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    app.db.drop_database().await;
}

/// Every server function under /api/admin/, as registered in this process.
fn admin_server_functions() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.starts_with("/api/admin/"))
        .collect();
    paths.sort();
    paths
}

#[tokio::test]
async fn every_admin_server_function_refuses_anonymous_callers_with_401_and_customers_with_403() {
    let app = spawn_app_with(None, None).await;
    let paths = admin_server_functions();
    assert!(
        paths.len() >= 4,
        "the staff area's functions are registered: {paths:?}"
    );
    customer_account(&app, "ada@example.com", PASSWORD).await;
    let mut customer = Shopper::default();
    customer.log_in(&app, "ada@example.com", PASSWORD).await;
    let mut anonymous = Shopper::default();
    for path in &paths {
        // Arguments are valid where one is needed, so only the role decides.
        let form = "search=&id=1&endpoint_id=1&on=false&required=false&name=x&message=&number=x&threshold=1&visibility=publish&role=staff\
            &filter[search]=&form[url]=x&form[secret]=y&form[order_id]=1&form[carrier]=x\
            &form[tracking_number]=x&form[amount]=1&form[reason]=x&form[request_key]=x\
            &form[variant_id]=1&form[change]=1&form[name]=x&form[category_id]=1&form[email]=x&form[role]=x\
            &form[default_rate]=1&form[price]=1&form[rate]=1&to=pause&form[kind]=x&form[trigger]=x\
            &form[promotion_id]=1&form[count]=1&form[code]=x&form[store_name]=x&form[time_zone]=x\
            &form[order_number_prefix]=x&form[zone_id]=1";
        let reply = anonymous.post(&app, path, form).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            reply.body
        );
        let reply = customer.post(&app, path, form).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            reply.body
        );
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn each_staff_role_reaches_its_own_functions_and_none_above() {
    let app = spawn_app_with(None, None).await;
    staff_account(&app, "staff@shop.example", Role::Staff).await;
    staff_account(&app, "admin@shop.example", Role::Admin).await;
    staff_account(&app, "owner@shop.example", Role::Owner).await;
    let expectations = [
        (
            "staff@shop.example",
            [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::FORBIDDEN],
        ),
        (
            "admin@shop.example",
            [StatusCode::OK, StatusCode::OK, StatusCode::FORBIDDEN],
        ),
        (
            "owner@shop.example",
            [StatusCode::OK, StatusCode::OK, StatusCode::OK],
        ),
    ];
    for (email, statuses) in expectations {
        let mut member = Shopper::default();
        member.log_in(&app, email, "staff password 12").await;
        let got = [
            member.post(&app, "/api/admin/me", "").await.status,
            member
                .post(&app, "/api/admin/customers", "search=")
                .await
                .status,
            member.post(&app, "/api/admin/staff", "").await.status,
        ];
        assert_eq!(got, statuses, "{email}");
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn data_downloads_go_to_the_customer_and_to_admins_only() {
    let app = spawn_app_with(None, None).await;
    let ada = customer_account(&app, "ada@example.com", PASSWORD).await;
    customer_account(&app, "bob@example.com", PASSWORD).await;
    staff_account(&app, "staff@shop.example", Role::Staff).await;
    staff_account(&app, "admin@shop.example", Role::Admin).await;

    assert_eq!(
        Shopper::default()
            .get(&app, "/account/data.json")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let mut customer = Shopper::default();
    customer.log_in(&app, "ada@example.com", PASSWORD).await;
    let own = customer.get(&app, "/account/data.json").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(own.headers[header::CACHE_CONTROL], "no-store");
    let data: serde_json::Value = serde_json::from_str(&own.body).unwrap();
    assert_eq!(data["account"]["email"], "ada@example.com");

    let for_staff = format!("/admin/customers/{ada}/data.json");
    let mut bob = Shopper::default();
    bob.log_in(&app, "bob@example.com", PASSWORD).await;
    assert_eq!(
        bob.get(&app, &for_staff).await.status,
        StatusCode::FORBIDDEN
    );
    let mut staff = Shopper::default();
    staff
        .log_in(&app, "staff@shop.example", "staff password 12")
        .await;
    assert_eq!(
        staff.get(&app, &for_staff).await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Shopper::default();
    admin
        .log_in(&app, "admin@shop.example", "staff password 12")
        .await;
    let exported = admin.get(&app, &for_staff).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert!(exported.body.contains("ada@example.com"));
    let detail = admin
        .post(&app, "/api/admin/customers/detail", &format!("id={ada}"))
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert!(detail.body.contains("ada@example.com") && detail.body.contains("\"orders\":[]"));
    assert_eq!(
        staff
            .post(&app, "/api/admin/customers/detail", &format!("id={ada}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_customer_deletes_their_account_with_their_password() {
    let app = spawn_app_with(None, None).await;
    customer_account(&app, "ada@example.com", PASSWORD).await;
    let mut customer = Shopper::default();
    customer.log_in(&app, "ada@example.com", PASSWORD).await;
    let refused = customer
        .post(&app, "/api/account/delete", "password=not+it")
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT count(*) FROM accounts").await, 1);
    let deleted = customer
        .post(
            &app,
            "/api/account/delete",
            &format!("password={}", percent_encode(PASSWORD)),
        )
        .await;
    assert!(
        deleted.status.is_success() || deleted.status.is_redirection(),
        "{}",
        deleted.body
    );
    assert_eq!(app.count("SELECT count(*) FROM accounts").await, 0);
    let login = app
        .post_form(
            "/api/account/login",
            &login_form("ada@example.com", PASSWORD),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    app.db.drop_database().await;
}

#[tokio::test]
async fn html_in_names_and_addresses_is_rendered_as_text() {
    let app = spawn_app().await;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let address = app::kernel::email::EmailAddress::parse("ada@example.com").unwrap();
    app::accounts::repo::register(
        &app.db.pool,
        payload,
        &address,
        PASSWORD,
        crate::support::STORE_ORIGIN,
    )
    .await
    .unwrap();
    let body: String =
        sqlx::query_scalar("SELECT body_text FROM outbox_emails WHERE kind = 'verify_email'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let start = body.find("token=").unwrap() + 6;
    app::accounts::repo::confirm_email(&app.db.pool, &body[start..start + 64])
        .await
        .unwrap();
    let mut customer = Shopper::default();
    customer.log_in(&app, "ada@example.com", PASSWORD).await;
    let field = |name: &str| format!("address[{name}]");
    let form = [
        (field("name"), payload),
        (field("line1"), payload),
        (field("line2"), "\"><svg onload=alert(3)>"),
        (field("city"), payload),
        (field("postal_code"), "SW1A 1AA"),
        (field("country"), "GB"),
    ]
    .iter()
    .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let added = customer
        .post(&app, "/api/account/addresses/add", &form)
        .await;
    assert!(
        added.status.is_success() || added.status.is_redirection(),
        "{}",
        added.body
    );

    // And an order whose shipping name is the payload.
    let variant = app.variant_with_stock(10).await;
    let key = customer.fill_cart_and_open_checkout(&app, variant, 1).await;
    let checkout = crate::support::checkout_form(&key, "").replace(
        &format!("form[name]={}", percent_encode("Ada Lovelace")),
        &format!("form[name]={}", percent_encode(payload)),
    );
    assert!(checkout.contains("alert"));
    let placed = customer
        .post(&app, "/api/checkout/place-order", &checkout)
        .await;
    assert!(
        placed.status.is_success() || placed.status.is_redirection(),
        "{}",
        placed.body
    );
    let number: String = sqlx::query_scalar("SELECT number FROM orders")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();

    for page in [
        "/account",
        "/account/addresses",
        &format!("/order/{number}"),
    ] {
        let reply = customer.get(&app, page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        for raw in ["<script>alert(1)", "<img src=x", "<svg onload"] {
            assert!(!reply.body.contains(raw), "{page} contains {raw}");
        }
        assert!(
            reply.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page} shows the text escaped"
        );
    }
    app.db.drop_database().await;
}

#[tokio::test]
async fn maintenance_mode_shows_shoppers_a_503_page_while_staff_keep_working() {
    let app = spawn_app_with(Some(4), None).await;
    staff_account(&app, "admin@shop.example", Role::Admin).await;
    let mut admin = Shopper::default();
    admin
        .log_in(&app, "admin@shop.example", "staff password 12")
        .await;
    let mut shopper = Shopper::default();
    assert_eq!(shopper.get(&app, "/").await.status, StatusCode::OK);

    let on = admin
        .post(
            &app,
            "/api/admin/settings/maintenance/set",
            "on=true&message=Back+at+noon+%3Cb%3E",
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;

    let page = shopper.get(&app, "/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers[header::RETRY_AFTER], "300");
    assert!(
        page.body.contains("Back at noon &lt;b&gt;"),
        "{}",
        page.body
    );
    let variant = app.variant_with_stock(5).await;
    assert_eq!(
        shopper.add_to_cart(&app, variant, 1).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        shopper.get(&app, "/account/login").await.status,
        StatusCode::OK,
        "staff can still log in"
    );

    assert_eq!(
        admin.get(&app, "/").await.status,
        StatusCode::OK,
        "staff see the store"
    );
    assert_eq!(admin.get(&app, "/admin").await.status, StatusCode::OK);
    assert_eq!(
        admin.add_to_cart(&app, variant, 1).await.status,
        StatusCode::OK
    );

    let off = admin
        .post(
            &app,
            "/api/admin/settings/maintenance/set",
            "on=false&message=",
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(shopper.get(&app, "/").await.status, StatusCode::OK);
    app.db.drop_database().await;
}

#[tokio::test]
async fn admins_register_webhook_endpoints_and_never_see_the_secret_again() {
    let app = spawn_app_with(None, None).await;
    staff_account(&app, "admin@shop.example", Role::Admin).await;
    let mut admin = Shopper::default();
    admin
        .log_in(&app, "admin@shop.example", "staff password 12")
        .await;
    let form = "form[url]=https%3A%2F%2Ferp.example%2Fhooks&form[secret]=a+shared+secret+value&form[order_created]=on&form[order_paid]=on";
    let added = admin.post(&app, "/api/admin/webhooks/add", form).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let bad = admin
        .post(
            &app,
            "/api/admin/webhooks/add",
            "form[url]=https%3A%2F%2Ferp.example&form[secret]=a+shared+secret+value",
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "no event chosen");
    let listed = admin.post(&app, "/api/admin/webhooks", "").await;
    assert_eq!(listed.status, StatusCode::OK);
    let overview: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(overview["endpoints"][0]["url"], "https://erp.example/hooks");
    assert_eq!(
        overview["endpoints"][0]["events"],
        serde_json::json!(["order.created", "order.paid"])
    );
    assert!(
        !listed.body.contains("a shared secret value"),
        "the secret stays on the server"
    );
    app.db.drop_database().await;
}

#[tokio::test]
async fn staff_changes_over_http_are_audited_under_their_account_and_only_admins_read_the_log() {
    let app = spawn_app_with(None, None).await;
    staff_account(&app, "staff@shop.example", Role::Staff).await;
    staff_account(&app, "admin@shop.example", Role::Admin).await;
    let variant = app.variant_with_stock(5).await;
    let mut staff = Shopper::default();
    staff
        .log_in(&app, "staff@shop.example", "staff password 12")
        .await;
    let mut admin = Shopper::default();
    admin
        .log_in(&app, "admin@shop.example", "staff password 12")
        .await;

    let form = format!(
        "form[variant_id]={variant}&form[change]=7&form[reason]=received&form[note]=&form[request_key]={}",
        uuid::Uuid::new_v4()
    );
    let reply = staff.post(&app, "/api/admin/stock/adjust", &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body.trim(), "12");
    assert_eq!(app.stock_of(variant).await, 12);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE actor_email = 'staff@shop.example' AND action = 'stock.adjust'")
            .await,
        1
    );

    let page = staff.get(&app, "/admin/stock").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Low stock"),
        "the stock page renders on the server"
    );
    assert_eq!(
        staff
            .post(&app, "/api/admin/audit", "filter[actor]=")
            .await
            .status,
        StatusCode::FORBIDDEN,
        "reading the audit log is for admins"
    );
    assert_eq!(
        staff.get(&app, "/admin/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let log = admin
        .post(&app, "/api/admin/audit", "filter[actor]=staff")
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("stock.adjust"), "{}", log.body);
    app.db.drop_database().await;
}

#[tokio::test]
async fn staff_upload_an_image_with_a_thumbnail_and_anything_else_is_refused_by_its_content() {
    let app = spawn_app_with(None, None).await;
    staff_account(&app, "staff@shop.example", Role::Staff).await;
    let variant = app.variant_with_stock(5).await;
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM product_variants WHERE id = $1")
        .bind(variant)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let path = format!("/admin/products/{product}/images");
    let mut anonymous = Shopper::default();
    let refused = anonymous
        .post_multipart(
            &app,
            &path,
            &[
                ("file", Some("a.png"), &png_of(10, 10)),
                ("alt_text", None, b"x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut staff = Shopper::default();
    staff
        .log_in(&app, "staff@shop.example", "staff password 12")
        .await;
    // An SVG renamed to .png: refused by its content, nothing stored.
    let svg = staff
        .post_multipart(
            &app,
            &path,
            &[
                (
                    "file",
                    Some("photo.png"),
                    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                ),
                ("alt_text", None, b"A shirt"),
            ],
        )
        .await;
    let location = svg.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.contains("image_error=") && location.contains("PNG"),
        "{location}"
    );
    let no_alt = staff
        .post_multipart(
            &app,
            &path,
            &[
                ("file", Some("a.png"), &png_of(10, 10)),
                ("alt_text", None, b" "),
            ],
        )
        .await;
    assert!(no_alt.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .contains("image_error="));
    assert_eq!(app.count("SELECT count(*) FROM product_images").await, 0);

    let added = staff
        .post_multipart(
            &app,
            &path,
            &[
                ("file", Some("shirt.bin"), &png_of(1200, 600)),
                ("alt_text", None, b"A blue linen shirt"),
            ],
        )
        .await;
    assert_eq!(
        added.headers[header::LOCATION],
        format!("/admin/products/{product}?image=added")
    );
    let (url, thumbnail, alt): (String, String, String) = sqlx::query_as(
        "SELECT url, thumbnail_url, alt_text FROM product_images WHERE product_id = $1",
    )
    .bind(product)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(alt, "A blue linen shirt");
    let served = staff.get(&app, &thumbnail).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/jpeg");
    let stored = image::open(
        app.media_dir
            .join(url.trim_start_matches("/media/uploads/")),
    )
    .unwrap();
    assert_eq!(
        stored.width(),
        1200,
        "smaller than the display width: kept at its size"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'product.add_image'")
            .await,
        1
    );
    std::fs::remove_dir_all(&app.media_dir).ok();
    app.db.drop_database().await;
}
