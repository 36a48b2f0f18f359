//! Accounts on a real PostgreSQL: registration that never tells whether an address is
//! registered, single-use links, sessions ended by a password change, cart merging at
//! login, the address book, and the customer's data export and erasure.

use app::accounts::gdpr;
use app::accounts::password::verify_password;
use app::accounts::repo::{
    account_at_epoch, add_address, addresses, change_password, check_login, confirm_email,
    make_default_address, order_history, register, remove_address, request_password_reset,
    reset_password, AccountRecord, LoginCheck, Registered,
};
use app::cart::model::Quantity;
use app::cart::repo::{add_to_cart, cart_contents, create_cart, merge_guest_cart};
use app::kernel::address::ShippingAddress;
use app::kernel::email::EmailAddress;
use app::kernel::error::AppError;
use app::orders::place::place_order;
use app::testing::fixtures::{
    category, manual_order_request, personal_data_as_text, product, variant_ids,
};
use app::testing::TestDatabase;
use sqlx::PgPool;
use uuid::Uuid;

const URL: &str = "https://shop.example";
const PASSWORD: &str = "plum orchard lantern";

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

/// The token in the newest email of this kind to this address.
async fn link_token(pool: &PgPool, recipient: &str, kind: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox_emails WHERE recipient = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(recipient)
    .bind(kind)
    .fetch_one(pool)
    .await
    .unwrap();
    let start = body.find("token=").expect("the email carries a link") + "token=".len();
    body[start..start + 64].to_owned()
}

async fn emails_of_kind(pool: &PgPool, recipient: &str, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox_emails WHERE recipient = $1 AND kind = $2")
        .bind(recipient)
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A registered and confirmed customer.
async fn customer(pool: &PgPool, address: &str) -> AccountRecord {
    register(pool, "Ada", &email(address), PASSWORD, URL)
        .await
        .unwrap();
    let token = link_token(pool, address, "verify_email").await;
    confirm_email(pool, &token).await.unwrap()
}

fn address(name: &str) -> ShippingAddress {
    ShippingAddress {
        name: name.into(),
        line1: "12 Analytical Row".into(),
        line2: String::new(),
        city: "London".into(),
        postal_code: "SW1A 1AA".into(),
        country: "GB".into(),
    }
}

fn qty(n: i64) -> Quantity {
    Quantity::parse(n).unwrap()
}

/// Ada, confirmed, with an address and an order of `quantity` shirts ($15.00 each) placed
/// from her account's cart.
struct CustomerWithOrder {
    account: AccountRecord,
    cart: Uuid,
    variant: i64,
    number: String,
}

async fn customer_with_an_order(db: &TestDatabase, quantity: i64) -> CustomerWithOrder {
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(1500, 10)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let account = customer(&db.pool, "ada@example.com").await;
    add_address(&db.pool, account.id, &address("Ada at home"))
        .await
        .unwrap();
    let cart = create_cart(&db.pool).await.unwrap();
    merge_guest_cart(&db.pool, account.id, Some(cart))
        .await
        .unwrap();
    add_to_cart(&db.pool, cart, variant, qty(quantity))
        .await
        .unwrap();
    let placed = place_order(&db.pool, &manual_order_request(cart, "ada@example.com"))
        .await
        .unwrap();
    CustomerWithOrder {
        account,
        cart,
        variant,
        number: placed.number,
    }
}

#[tokio::test]
async fn registering_an_existing_address_answers_the_same_and_only_emails_its_owner() {
    let db = TestDatabase::new().await;
    let first = register(&db.pool, "Ada", &email("ada@example.com"), PASSWORD, URL).await;
    assert_eq!(first, Ok(Registered::AwaitingConfirmation));
    assert_eq!(
        emails_of_kind(&db.pool, "ada@example.com", "verify_email").await,
        1
    );

    // Not confirmed yet: the account cannot log in, and a new link is sent instead.
    let before = check_login(&db.pool, "ada@example.com", PASSWORD, URL)
        .await
        .unwrap();
    assert_eq!(before, LoginCheck::Unconfirmed);
    assert_eq!(
        emails_of_kind(&db.pool, "ada@example.com", "verify_email").await,
        2
    );

    let token = link_token(&db.pool, "ada@example.com", "verify_email").await;
    let account = confirm_email(&db.pool, &token).await.unwrap();
    assert_eq!(account.email, "ada@example.com");
    assert!(
        confirm_email(&db.pool, &token).await.is_err(),
        "a link works once"
    );

    // Someone registers the same address again, in other letter case, with another password.
    let again = register(
        &db.pool,
        "Mallory",
        &email("ADA@example.com"),
        "another secret phrase",
        URL,
    )
    .await;
    assert_eq!(again, Ok(Registered::AlreadyRegistered));
    assert_eq!(
        emails_of_kind(&db.pool, "ADA@example.com", "already_registered").await,
        1
    );
    let (name, hash): (String, String) =
        sqlx::query_as("SELECT name, password_hash FROM accounts WHERE id = $1")
            .bind(account.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(name, "Ada", "the existing account is unchanged");
    assert!(verify_password(&hash, PASSWORD));
    assert!(matches!(
        check_login(&db.pool, "Ada@Example.com", PASSWORD, URL).await.unwrap(),
        LoginCheck::Accepted(a) if a.id == account.id
    ));
    db.drop_database().await;
}

#[tokio::test]
async fn login_refuses_wrong_passwords_unknown_addresses_and_deactivated_accounts_alike() {
    let db = TestDatabase::new().await;
    let account = customer(&db.pool, "ada@example.com").await;
    let wrong = check_login(&db.pool, "ada@example.com", "plum orchard lanterns", URL).await;
    let unknown = check_login(&db.pool, "nobody@example.com", PASSWORD, URL).await;
    assert_eq!(wrong, Ok(LoginCheck::Refused));
    assert_eq!(unknown, Ok(LoginCheck::Refused));
    sqlx::query("UPDATE accounts SET is_active = false WHERE id = $1")
        .bind(account.id)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        check_login(&db.pool, "ada@example.com", PASSWORD, URL).await,
        Ok(LoginCheck::Refused)
    );
    assert_eq!(
        account_at_epoch(&db.pool, account.id, account.session_epoch)
            .await
            .unwrap(),
        None,
        "a deactivated account's sessions end too"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn a_password_change_ends_every_session_logged_in_before_it() {
    let db = TestDatabase::new().await;
    let account = customer(&db.pool, "ada@example.com").await;
    assert!(
        account_at_epoch(&db.pool, account.id, account.session_epoch)
            .await
            .unwrap()
            .is_some()
    );

    let wrong_current = change_password(
        &db.pool,
        &account,
        "not my password",
        "a brand new phrase",
        URL,
    )
    .await;
    assert!(matches!(wrong_current, Err(AppError::InvalidInput(_))));
    let too_short = change_password(&db.pool, &account, PASSWORD, "short", URL).await;
    assert!(matches!(too_short, Err(AppError::InvalidInput(m)) if m.contains("at least 8")));

    let updated = change_password(&db.pool, &account, PASSWORD, "a brand new phrase", URL)
        .await
        .unwrap();
    assert_eq!(updated.session_epoch, account.session_epoch + 1);
    assert_eq!(
        account_at_epoch(&db.pool, account.id, account.session_epoch)
            .await
            .unwrap(),
        None
    );
    assert!(
        account_at_epoch(&db.pool, account.id, updated.session_epoch)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        emails_of_kind(&db.pool, "ada@example.com", "password_changed").await,
        1
    );
    assert_eq!(
        check_login(&db.pool, "ada@example.com", PASSWORD, URL).await,
        Ok(LoginCheck::Refused)
    );
    db.drop_database().await;
}

#[tokio::test]
async fn a_reset_link_works_once_for_thirty_minutes_and_only_the_newest_link_works() {
    let db = TestDatabase::new().await;
    let account = customer(&db.pool, "ada@example.com").await;
    assert!(
        !request_password_reset(&db.pool, &email("nobody@example.com"), URL)
            .await
            .unwrap()
    );
    assert!(
        request_password_reset(&db.pool, &email("ada@example.com"), URL)
            .await
            .unwrap()
    );
    let older = link_token(&db.pool, "ada@example.com", "password_reset").await;
    request_password_reset(&db.pool, &email("ada@example.com"), URL)
        .await
        .unwrap();
    let newest = link_token(&db.pool, "ada@example.com", "password_reset").await;
    assert!(reset_password(&db.pool, &older, "violet kettle song", URL)
        .await
        .is_err());

    // A refused password does not use the link up.
    let common = reset_password(&db.pool, &newest, "password123", URL).await;
    assert!(matches!(common, Err(AppError::InvalidInput(m)) if m.contains("common")));
    let reset = reset_password(&db.pool, &newest, "violet kettle song", URL)
        .await
        .unwrap();
    assert_eq!(
        reset.session_epoch,
        account.session_epoch + 1,
        "other sessions end"
    );
    assert!(
        reset_password(&db.pool, &newest, "another kettle song", URL)
            .await
            .is_err()
    );
    assert!(matches!(
        check_login(&db.pool, "ada@example.com", "violet kettle song", URL)
            .await
            .unwrap(),
        LoginCheck::Accepted(_)
    ));

    request_password_reset(&db.pool, &email("ada@example.com"), URL)
        .await
        .unwrap();
    let expired = link_token(&db.pool, "ada@example.com", "password_reset").await;
    sqlx::query(
        "UPDATE account_tokens SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    assert!(
        reset_password(&db.pool, &expired, "expired kettle song", URL)
            .await
            .is_err()
    );
    let lifetime: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM max(expires_at - created_at))::float8 FROM account_tokens WHERE purpose = 'reset_password' AND used_at IS NOT NULL",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(
        (lifetime - 1800.0).abs() < 5.0,
        "reset links live 30 minutes, not {lifetime} s"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn stored_tokens_are_hashes_never_the_link_itself() {
    let db = TestDatabase::new().await;
    register(&db.pool, "Ada", &email("ada@example.com"), PASSWORD, URL)
        .await
        .unwrap();
    let token = link_token(&db.pool, "ada@example.com", "verify_email").await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM account_tokens")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains(&token));
    let as_hex = app::kernel::encoding::hex(&stored);
    assert_ne!(as_hex, token);
    db.drop_database().await;
}

#[tokio::test]
async fn a_guest_cart_merges_into_the_account_cart_with_quantities_capped_by_stock() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(
        &db.pool,
        tops,
        "shirt",
        "Shirt",
        "",
        &[(1000, 5), (1000, 50)],
    )
    .await;
    let [scarce, plenty] = variant_ids(&db.pool, shirt).await[..] else {
        panic!("two variants")
    };
    let account = customer(&db.pool, "ada@example.com").await;

    // First login with a guest cart: the account adopts it.
    let first_guest = create_cart(&db.pool).await.unwrap();
    add_to_cart(&db.pool, first_guest, scarce, qty(3))
        .await
        .unwrap();
    let account_cart = merge_guest_cart(&db.pool, account.id, Some(first_guest))
        .await
        .unwrap();
    assert_eq!(account_cart, Some(first_guest));

    // Later, another guest cart: same variant adds up to the stock (3 + 4 > 5), new lines join.
    let second_guest = create_cart(&db.pool).await.unwrap();
    add_to_cart(&db.pool, second_guest, scarce, qty(4))
        .await
        .unwrap();
    add_to_cart(&db.pool, second_guest, plenty, qty(2))
        .await
        .unwrap();
    let merged = merge_guest_cart(&db.pool, account.id, Some(second_guest))
        .await
        .unwrap();
    assert_eq!(merged, Some(first_guest));
    let lines = cart_contents(&db.pool, first_guest).await.unwrap();
    let quantity_of = |variant: i64| {
        lines
            .iter()
            .find(|l| l.variant_id == variant)
            .map(|l| l.quantity)
    };
    assert_eq!(quantity_of(scarce), Some(5));
    assert_eq!(quantity_of(plenty), Some(2));
    let guest_left: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM carts WHERE id = $1)")
        .bind(second_guest)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(!guest_left, "the merged guest cart is gone");

    // No guest cart: the account's cart is used as it is.
    assert_eq!(
        merge_guest_cart(&db.pool, account.id, None).await.unwrap(),
        Some(first_guest)
    );
    db.drop_database().await;
}

#[tokio::test]
async fn logging_in_to_another_account_never_takes_the_first_accounts_cart() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(1000, 5)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let ada = customer(&db.pool, "ada@example.com").await;
    let bob = customer(&db.pool, "bob@example.com").await;
    let adas_cart = create_cart(&db.pool).await.unwrap();
    merge_guest_cart(&db.pool, ada.id, Some(adas_cart))
        .await
        .unwrap();
    add_to_cart(&db.pool, adas_cart, variant, qty(2))
        .await
        .unwrap();

    // The same browser, still holding Ada's cart, logs in as Bob.
    let bobs_cart = merge_guest_cart(&db.pool, bob.id, Some(adas_cart))
        .await
        .unwrap();
    assert_eq!(bobs_cart, None, "Bob starts without a cart");
    let adas_lines = cart_contents(&db.pool, adas_cart).await.unwrap();
    assert_eq!(adas_lines.len(), 1, "Ada's cart is untouched");
    assert_eq!(adas_lines[0].quantity, 2);
    db.drop_database().await;
}

#[tokio::test]
async fn the_address_book_keeps_exactly_one_default() {
    let db = TestDatabase::new().await;
    let account = customer(&db.pool, "ada@example.com").await;
    let other = customer(&db.pool, "bob@example.com").await;
    let home = add_address(&db.pool, account.id, &address("Home"))
        .await
        .unwrap();
    let work = add_address(&db.pool, account.id, &address("Work"))
        .await
        .unwrap();
    let book = addresses(&db.pool, account.id).await.unwrap();
    assert_eq!(
        book.iter()
            .map(|a| (a.id, a.is_default))
            .collect::<Vec<_>>(),
        vec![(home, true), (work, false)]
    );

    make_default_address(&db.pool, account.id, work)
        .await
        .unwrap();
    assert_eq!(addresses(&db.pool, account.id).await.unwrap()[0].id, work);
    assert!(
        matches!(
            make_default_address(&db.pool, other.id, home).await,
            Err(AppError::NotFound(_))
        ),
        "nobody touches another account's addresses"
    );
    assert!(remove_address(&db.pool, other.id, home).await.is_err());

    remove_address(&db.pool, account.id, work).await.unwrap();
    let book = addresses(&db.pool, account.id).await.unwrap();
    assert_eq!(book.len(), 1);
    assert!(
        book[0].is_default,
        "the remaining address became the default"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn orders_placed_from_the_account_cart_appear_in_its_history() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(1500, 10)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let account = customer(&db.pool, "ada@example.com").await;
    let cart = create_cart(&db.pool).await.unwrap();
    merge_guest_cart(&db.pool, account.id, Some(cart))
        .await
        .unwrap();
    add_to_cart(&db.pool, cart, variant, qty(2)).await.unwrap();
    let placed = place_order(&db.pool, &manual_order_request(cart, "ada@example.com"))
        .await
        .unwrap();

    // A guest order by someone else never shows up.
    let stranger = create_cart(&db.pool).await.unwrap();
    add_to_cart(&db.pool, stranger, variant, qty(1))
        .await
        .unwrap();
    place_order(
        &db.pool,
        &manual_order_request(stranger, "someone@example.com"),
    )
    .await
    .unwrap();

    let history = order_history(&db.pool, account.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].number, placed.number);
    assert_eq!(history[0].item_count, 2);
    assert_eq!(history[0].total, "$34.95", "2 × $15.00 plus $4.95 shipping");
    db.drop_database().await;
}

#[tokio::test]
async fn guest_orders_with_the_confirmed_address_join_the_account() {
    let db = TestDatabase::new().await;
    let tops = category(&db.pool, "tops", None).await;
    let shirt = product(&db.pool, tops, "shirt", "Shirt", "", &[(1500, 10)]).await;
    let variant = variant_ids(&db.pool, shirt).await[0];
    let cart = create_cart(&db.pool).await.unwrap();
    add_to_cart(&db.pool, cart, variant, qty(1)).await.unwrap();
    let guest_order = place_order(&db.pool, &manual_order_request(cart, "Ada@example.com"))
        .await
        .unwrap();
    let account = customer(&db.pool, "ada@example.com").await;
    let history = order_history(&db.pool, account.id).await.unwrap();
    assert_eq!(
        history.iter().map(|o| o.number.clone()).collect::<Vec<_>>(),
        vec![guest_order.number]
    );
    db.drop_database().await;
}

#[tokio::test]
async fn export_holds_the_account_its_addresses_orders_and_cart() {
    let db = TestDatabase::new().await;
    let CustomerWithOrder {
        account,
        cart,
        variant,
        number,
    } = customer_with_an_order(&db, 1).await;
    add_to_cart(&db.pool, cart, variant, qty(3)).await.unwrap();

    let data = gdpr::export(&db.pool, account.id).await.unwrap();
    assert_eq!(data["account"]["email"], "ada@example.com");
    assert_eq!(data["account"]["name"], "Ada");
    assert_eq!(data["addresses"][0]["name"], "Ada at home");
    assert_eq!(data["orders"][0]["number"], number.as_str());
    assert_eq!(
        data["orders"][0]["shipping_address"]["name"],
        "Ada Lovelace"
    );
    assert_eq!(data["orders"][0]["lines"][0]["sku"], "SHIRT-0");
    assert_eq!(data["orders"][0]["total_minor"], 1995);
    assert_eq!(data["cart"][0]["quantity"], 3);
    assert!(
        data["emails"].as_array().unwrap().len() >= 2,
        "confirmation link and order email"
    );
    let text = data.to_string();
    assert!(!text.contains("argon2"), "no password hash in the export");
    db.drop_database().await;
}

#[tokio::test]
async fn erasure_removes_the_person_and_keeps_the_orders_fiscal_record() {
    let db = TestDatabase::new().await;
    let CustomerWithOrder {
        account,
        cart,
        variant: _,
        number,
    } = customer_with_an_order(&db, 2).await;
    let kept = customer(&db.pool, "bob@example.com").await;
    let stored_order = |db_pool: sqlx::PgPool, number: String| async move {
        sqlx::query_scalar::<_, Option<bool>>(
            "SELECT bool_or(payload ? 'order') FROM webhook_events WHERE payload->>'number' = $1",
        )
        .bind(number)
        .fetch_one(&db_pool)
        .await
        .unwrap()
    };
    assert_eq!(
        stored_order(db.pool.clone(), number.clone()).await,
        Some(true),
        "the order's event carries the order"
    );

    gdpr::erase(
        &db.pool,
        &app::payments::PaymentGateways::simulated(),
        account.id,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        stored_order(db.pool.clone(), number.clone()).await,
        Some(false),
        "erasure removes the order's copy from stored events"
    );

    let (email, name, line1, city, country, total, lines): (
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT email, ship_name, ship_line1, ship_city, ship_country, total_minor,
                (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id)
         FROM orders o WHERE number = $1",
    )
    .bind(&number)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(email.ends_with("@erased.invalid"), "{email}");
    assert_eq!(
        (name.as_str(), line1.as_str(), city.as_str()),
        ("Erased", "Erased", "Erased")
    );
    assert_eq!(
        (country.as_str(), total, lines),
        ("GB", 3495, 1),
        "the fiscal record stays"
    );

    // Nothing anywhere still names the person.
    let dump = personal_data_as_text(&db.pool).await;
    assert!(!dump.to_lowercase().contains("ada@example.com"), "{dump}");
    assert!(
        !dump.contains("Lovelace") && !dump.contains("Ada at home"),
        "{dump}"
    );
    assert!(
        dump.contains("bob@example.com"),
        "other accounts are untouched"
    );
    assert_eq!(
        account_at_epoch(&db.pool, account.id, account.session_epoch)
            .await
            .unwrap(),
        None
    );
    assert!(account_at_epoch(&db.pool, kept.id, kept.session_epoch)
        .await
        .unwrap()
        .is_some());
    let cart_left: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM carts WHERE id = $1)")
        .bind(cart)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(!cart_left);
    db.drop_database().await;
}

#[tokio::test]
async fn staff_accounts_need_twelve_characters_and_cannot_be_erased_as_customers() {
    let db = TestDatabase::new().await;
    let short = app::accounts::repo::create_staff(
        &db.pool,
        &email("owner@shop.example"),
        "Owner",
        app::accounts::model::Role::Owner,
        "eleven char",
    )
    .await;
    assert!(matches!(short, Err(AppError::InvalidInput(m)) if m.contains("at least 12")));
    let id = app::accounts::repo::create_staff(
        &db.pool,
        &email("owner@shop.example"),
        "Owner",
        app::accounts::model::Role::Owner,
        "twelve chars ok",
    )
    .await
    .unwrap();
    let again = app::accounts::repo::create_staff(
        &db.pool,
        &email("Owner@shop.example"),
        "",
        app::accounts::model::Role::Staff,
        "twelve chars ok",
    )
    .await;
    assert!(matches!(again, Err(AppError::InvalidInput(_))));
    assert!(matches!(
        gdpr::erase(
            &db.pool,
            &app::payments::PaymentGateways::simulated(),
            id,
            None
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    db.drop_database().await;
}
