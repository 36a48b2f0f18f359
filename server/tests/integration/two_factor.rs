//! Staff two-factor login and the list of logins, over HTTP against the real router:
//! enrolment, login with and without the code, a replayed code refused, recovery codes
//! used once, the store's requirement enforced, wrong codes throttled, logins ended.

use crate::support::{spawn_app_with, Shopper, TestApp};
use app::accounts::model::Role;
use app::accounts::two_factor::code;
use app::kernel::encoding::percent_encode;
use axum::http::{header, StatusCode};

const PASSWORD: &str = "staff password 12";

async fn staff(app: &TestApp, email: &str, role: Role) -> i64 {
    let address = app::kernel::email::EmailAddress::parse(email).unwrap();
    app::accounts::repo::create_staff(&app.db.pool, &address, "", role, PASSWORD)
        .await
        .unwrap()
}

fn location(reply: &crate::support::Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .or_else(|| reply.headers.get("serverfnredirect"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn ok(reply: &crate::support::Reply) -> bool {
    reply.status.is_success() || reply.status.is_redirection()
}

/// Password accepted; returns where the login sent the browser.
async fn password_step(app: &TestApp, shopper: &mut Shopper, email: &str) -> String {
    let reply = shopper
        .post(
            app,
            "/api/account/login",
            &format!(
                "email={}&password={}",
                percent_encode(email),
                percent_encode(PASSWORD)
            ),
        )
        .await;
    assert!(ok(&reply), "{} {}", reply.status, reply.body);
    location(&reply)
}

async fn secret_of(app: &TestApp, account: i64) -> Vec<u8> {
    sqlx::query_scalar("SELECT secret FROM account_two_factor WHERE account_id = $1")
        .bind(account)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Audit entries of `action` about staff member `id`.
async fn audited(app: &TestApp, action: &str, id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1 AND entity_id = $2")
        .bind(action)
        .bind(id.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

fn now_step() -> i64 {
    code::step_of(chrono::Utc::now().timestamp())
}

async fn logged_in(app: &TestApp, shopper: &mut Shopper) -> bool {
    shopper.post(app, "/api/account/overview", "").await.status == StatusCode::OK
}

async fn status(app: &TestApp, shopper: &mut Shopper) -> serde_json::Value {
    let reply = shopper.post(app, "/api/account/two-factor", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

/// Logs in, sets up two-factor login and confirms it with the current code; returns the
/// secret and the recovery codes.
async fn enrol(app: &TestApp, shopper: &mut Shopper, account: i64) -> (Vec<u8>, Vec<String>) {
    let started = shopper.post(app, "/api/account/two-factor/start", "").await;
    assert!(ok(&started), "{}", started.body);
    let secret = secret_of(app, account).await;
    let shown = status(app, shopper).await;
    assert_eq!(
        shown["setup"]["secret_text"],
        code::grouped(&code::base32(&secret)),
        "the page shows the secret to type in"
    );
    assert!(shown["setup"]["qr_svg"].as_str().unwrap().contains("<svg"));
    let confirmed = shopper
        .post(
            app,
            "/api/account/two-factor/confirm",
            &format!("code={}", code::code_at_step(&secret, now_step()).unwrap()),
        )
        .await;
    assert!(ok(&confirmed), "{}", confirmed.body);
    let shown = status(app, shopper).await;
    let codes: Vec<String> = serde_json::from_value(shown["new_recovery_codes"].clone()).unwrap();
    (secret, codes)
}

#[tokio::test]
async fn enrolled_staff_log_in_only_with_a_fresh_code_and_a_replayed_code_is_refused() {
    let app = spawn_app_with(None, None).await;
    let ana = staff(&app, "ana@shop.example", Role::Staff).await;
    let mut laptop = Shopper::default();
    laptop.log_in(&app, "ana@shop.example", PASSWORD).await;
    assert!(
        logged_in(&app, &mut laptop).await,
        "without two-factor, the password is enough"
    );

    // A wrong code does not turn it on.
    let started = laptop.post(&app, "/api/account/two-factor/start", "").await;
    assert!(ok(&started));
    let secret = secret_of(&app, ana).await;
    let wrong = code::code_at_step(&secret, now_step() + 5).unwrap();
    let refused = laptop
        .post(
            &app,
            "/api/account/two-factor/confirm",
            &format!("code={wrong}"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(status(&app, &mut laptop).await["enrolled"], false);

    let (secret, codes) = enrol(&app, &mut laptop, ana).await;
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once");
    let shown = status(&app, &mut laptop).await;
    assert_eq!(shown["enrolled"], true);
    let saved = laptop
        .post(&app, "/api/account/two-factor/codes-saved", "")
        .await;
    assert!(ok(&saved));
    assert_eq!(
        status(&app, &mut laptop).await["new_recovery_codes"],
        serde_json::json!([]),
        "the codes are not shown again"
    );
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT code_hash FROM account_recovery_codes WHERE account_id = $1")
            .bind(ana)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(
        !stored
            .iter()
            .any(|hash| codes.iter().any(|c| c.as_bytes() == hash.as_slice())),
        "only hashes are stored"
    );

    // The password alone no longer logs in.
    let mut phone = Shopper::default();
    let next = password_step(&app, &mut phone, "ana@shop.example").await;
    assert_eq!(next, "/account/login/code");
    assert!(
        !logged_in(&app, &mut phone).await,
        "half-way is not logged in"
    );
    assert_eq!(
        phone.post(&app, "/api/admin/me", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = phone
        .post(&app, "/api/account/login/code", "code=000000")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    assert!(!logged_in(&app, &mut phone).await);

    // The confirming code's step is used up: the next step's code logs in, once.
    let fresh = code::code_at_step(&secret, now_step() + 1).unwrap();
    let accepted = phone
        .post(&app, "/api/account/login/code", &format!("code={fresh}"))
        .await;
    assert!(ok(&accepted), "{} {}", accepted.status, accepted.body);
    assert!(logged_in(&app, &mut phone).await);

    let mut thief = Shopper::default();
    assert_eq!(
        password_step(&app, &mut thief, "ana@shop.example").await,
        "/account/login/code"
    );
    let replayed = thief
        .post(&app, "/api/account/login/code", &format!("code={fresh}"))
        .await;
    assert_eq!(
        replayed.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        replayed.body
    );
    assert!(
        replayed.body.contains("already been used"),
        "{}",
        replayed.body
    );
    assert!(!logged_in(&app, &mut thief).await);

    // No pending login: the code step refuses.
    let mut stranger = Shopper::default();
    let nothing = stranger
        .post(&app, "/api/account/login/code", "code=123456")
        .await;
    assert_eq!(nothing.status, StatusCode::UNAUTHORIZED);
    assert!(nothing.body.contains("Log in again"), "{}", nothing.body);

    assert_eq!(audited(&app, "staff.two_factor_on", ana).await, 1);
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_recovery_code_logs_in_once_and_never_again() {
    let app = spawn_app_with(None, None).await;
    let ana = staff(&app, "ana@shop.example", Role::Admin).await;
    let mut laptop = Shopper::default();
    laptop.log_in(&app, "ana@shop.example", PASSWORD).await;
    let (_, codes) = enrol(&app, &mut laptop, ana).await;

    let mut lost_phone = Shopper::default();
    password_step(&app, &mut lost_phone, "ana@shop.example").await;
    let typed = format!(" {} ", codes[3].to_uppercase());
    let used = lost_phone
        .post(
            &app,
            "/api/account/login/code",
            &format!("code={}", percent_encode(&typed)),
        )
        .await;
    assert!(ok(&used), "{} {}", used.status, used.body);
    assert_eq!(location(&used), "/account/security?recovery_used=9");
    assert!(logged_in(&app, &mut lost_phone).await);
    assert_eq!(
        status(&app, &mut lost_phone).await["recovery_codes_left"],
        9
    );

    let mut again = Shopper::default();
    password_step(&app, &mut again, "ana@shop.example").await;
    let reused = again
        .post(
            &app,
            "/api/account/login/code",
            &format!("code={}", codes[3]),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "{}", reused.body);
    assert!(!logged_in(&app, &mut again).await);
    app.db.drop_database().await;
}

#[tokio::test]
async fn when_the_store_requires_it_owners_and_admins_set_it_up_before_they_are_logged_in() {
    let app = spawn_app_with(None, None).await;
    staff(&app, "owner@shop.example", Role::Owner).await;
    let admin = staff(&app, "admin@shop.example", Role::Admin).await;
    staff(&app, "clerk@shop.example", Role::Staff).await;
    let mut owner = Shopper::default();
    owner.log_in(&app, "owner@shop.example", PASSWORD).await;
    let mut clerk = Shopper::default();
    clerk.log_in(&app, "clerk@shop.example", PASSWORD).await;
    let not_owner = clerk
        .post(&app, "/api/admin/settings/two-factor", "required=true")
        .await;
    assert_eq!(not_owner.status, StatusCode::FORBIDDEN);
    let required = owner
        .post(&app, "/api/admin/settings/two-factor", "required=true")
        .await;
    assert!(ok(&required), "{}", required.body);

    let mut desk = Shopper::default();
    let next = password_step(&app, &mut desk, "admin@shop.example").await;
    assert_eq!(next, "/account/security?required=1");
    assert!(!logged_in(&app, &mut desk).await);
    assert_eq!(
        desk.post(&app, "/api/admin/me", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status(&app, &mut desk).await["enrolling_to_log_in"], true);
    let (_, codes) = enrol(&app, &mut desk, admin).await;
    assert_eq!(codes.len(), 10);
    assert!(
        logged_in(&app, &mut desk).await,
        "enrolling finished the login"
    );
    let off = desk
        .post(
            &app,
            "/api/account/two-factor/off",
            &format!("password={}", percent_encode(PASSWORD)),
        )
        .await;
    assert_eq!(off.status, StatusCode::FORBIDDEN, "{}", off.body);

    // Staff below admin are not required to.
    let mut counter = Shopper::default();
    let next = password_step(&app, &mut counter, "clerk@shop.example").await;
    assert_ne!(next, "/account/security?required=1");
    assert!(logged_in(&app, &mut counter).await);
    app.db.drop_database().await;
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let app = spawn_app_with(None, None).await;
    let ana = staff(&app, "ana@shop.example", Role::Staff).await;
    let mut laptop = Shopper::default();
    laptop.log_in(&app, "ana@shop.example", PASSWORD).await;
    let (secret, _) = enrol(&app, &mut laptop, ana).await;

    let mut guesser = Shopper::default();
    password_step(&app, &mut guesser, "ana@shop.example").await;
    for guess in 0..5 {
        let reply = guesser
            .post(
                &app,
                "/api/account/login/code",
                &format!("code=00000{guess}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    }
    let right = code::code_at_step(&secret, now_step() + 1).unwrap();
    let blocked = guesser
        .post(&app, "/api/account/login/code", &format!("code={right}"))
        .await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        blocked.body
    );
    assert!(!logged_in(&app, &mut guesser).await);
    app.db.drop_database().await;
}

#[tokio::test]
async fn staff_see_their_logins_end_one_and_an_owner_ends_all_of_anothers() {
    let app = spawn_app_with(None, None).await;
    staff(&app, "owner@shop.example", Role::Owner).await;
    let ana = staff(&app, "ana@shop.example", Role::Staff).await;
    let mut owner = Shopper::default();
    owner.log_in(&app, "owner@shop.example", PASSWORD).await;
    let mut laptop = Shopper::default();
    laptop.log_in(&app, "ana@shop.example", PASSWORD).await;
    let mut phone = Shopper::default();
    phone.log_in(&app, "ana@shop.example", PASSWORD).await;
    let mut tablet = Shopper::default();
    tablet.log_in(&app, "ana@shop.example", PASSWORD).await;

    let listed = laptop.post(&app, "/api/account/logins", "").await;
    let logins: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    let logins = logins.as_array().unwrap();
    assert_eq!(logins.len(), 3);
    assert_eq!(logins.iter().filter(|l| l["current"] == true).count(), 1);
    let phone_login = phone.post(&app, "/api/account/logins", "").await;
    let phone_id = serde_json::from_str::<serde_json::Value>(&phone_login.body)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let ended = laptop
        .post(&app, "/api/account/logins/end", &format!("id={phone_id}"))
        .await;
    assert!(ok(&ended), "{}", ended.body);
    assert!(
        !logged_in(&app, &mut phone).await,
        "the phone is logged out"
    );
    assert!(logged_in(&app, &mut laptop).await);
    let again = laptop
        .post(&app, "/api/account/logins/end", &format!("id={phone_id}"))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // Another account's login cannot be ended by id.
    let owners_logins = owner.post(&app, "/api/account/logins", "").await;
    let owner_id = serde_json::from_str::<serde_json::Value>(&owners_logins.body).unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign = laptop
        .post(&app, "/api/account/logins/end", &format!("id={owner_id}"))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert!(logged_in(&app, &mut owner).await);

    let staff_list = owner.post(&app, "/api/admin/staff", "").await;
    assert!(
        staff_list.body.contains("\"logins\":2"),
        "{}",
        staff_list.body
    );
    let not_owner = laptop
        .post(&app, "/api/admin/staff/end-logins", &format!("id={ana}"))
        .await;
    assert_eq!(not_owner.status, StatusCode::FORBIDDEN);
    let all = owner
        .post(&app, "/api/admin/staff/end-logins", &format!("id={ana}"))
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body.trim(), "2");
    assert!(!logged_in(&app, &mut laptop).await);
    assert!(!logged_in(&app, &mut tablet).await);
    assert!(logged_in(&app, &mut owner).await);
    assert_eq!(audited(&app, "staff.logins_ended", ana).await, 1);

    // Logging out ends the login row too.
    let mut desk = Shopper::default();
    desk.log_in(&app, "ana@shop.example", PASSWORD).await;
    let out = desk.post(&app, "/api/account/logout", "").await;
    assert!(ok(&out));
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM account_logins WHERE account_id = $1")
        .bind(ana)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    app.db.drop_database().await;
}

#[tokio::test]
async fn an_owner_resets_the_two_factor_login_of_someone_locked_out() {
    let app = spawn_app_with(None, None).await;
    let owner_id = staff(&app, "owner@shop.example", Role::Owner).await;
    let ana = staff(&app, "ana@shop.example", Role::Staff).await;
    let mut owner = Shopper::default();
    owner.log_in(&app, "owner@shop.example", PASSWORD).await;
    let mut laptop = Shopper::default();
    laptop.log_in(&app, "ana@shop.example", PASSWORD).await;
    enrol(&app, &mut laptop, ana).await;

    let own = owner
        .post(
            &app,
            "/api/admin/staff/reset-two-factor",
            &format!("id={owner_id}"),
        )
        .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST, "{}", own.body);
    let by_staff = laptop
        .post(
            &app,
            "/api/admin/staff/reset-two-factor",
            &format!("id={ana}"),
        )
        .await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN);
    let reset = owner
        .post(
            &app,
            "/api/admin/staff/reset-two-factor",
            &format!("id={ana}"),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(!logged_in(&app, &mut laptop).await, "their logins ended");
    assert_eq!(audited(&app, "staff.two_factor_reset", ana).await, 1);
    let again = owner
        .post(
            &app,
            "/api/admin/staff/reset-two-factor",
            &format!("id={ana}"),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    let mut new_phone = Shopper::default();
    let next = password_step(&app, &mut new_phone, "ana@shop.example").await;
    assert_ne!(next, "/account/login/code", "the password logs in again");
    assert!(logged_in(&app, &mut new_phone).await);
    app.db.drop_database().await;
}
