//! Card payments through Stripe, against a real Stripe-compatible test server
//! (`localstripe`, started by `./scripts/test`; its address is STOA_TEST_STRIPE_URL).
//! localstripe ignores `Idempotency-Key`, so these tests prove the store's own guards
//! (checkout keys, the order's row lock, refund keys in Stripe's metadata) without
//! leaning on Stripe's. It sends no `charge.refunded` or dispute events: those are built
//! here from its real objects and signed with the endpoint's secret, as Stripe signs them.

use crate::support::{checkout_form, spawn_configured, Shopper, TestApp};
use app::payments::{
    Authorization, AuthorizeRequest, PaymentError, PaymentFuture, PaymentGateways, PaymentProvider,
    ProviderRefund, RefundRequest, StripeGateway,
};
use axum::http::StatusCode;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use stoa_server::config::StripeConfig;
use stoa_server::payments::stripe::StripeClient;

const SECRET_KEY: &str = "sk_test_stoa_0123456789";
const PUBLISHABLE_KEY: &str = "pk_test_stoa_0123456789";
const WEBHOOK_SECRET: &str = "whsec_stoa_0123456789";

fn stripe_url() -> String {
    std::env::var("STOA_TEST_STRIPE_URL").expect(
        "STOA_TEST_STRIPE_URL names the Stripe test server: run ./scripts/test, which starts localstripe",
    )
}

fn stripe_config() -> StripeConfig {
    StripeConfig {
        secret_key: SECRET_KEY.into(),
        publishable_key: PUBLISHABLE_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        api_base: stripe_url(),
        js_url: format!("{}/js.stripe.com/v3/", stripe_url()),
    }
}

/// The store with Stripe configured against the test server; `adjust` may swap its gateways.
async fn stripe_store(adjust: impl FnOnce(&mut stoa_server::state::AppState)) -> TestApp {
    let url = stripe_url();
    let js = format!("{url}/js.stripe.com/v3/");
    spawn_configured(
        None,
        None,
        "development",
        &[
            ("STOA_STRIPE_SECRET_KEY", SECRET_KEY),
            ("STOA_STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY),
            ("STOA_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("STOA_STRIPE_API_BASE", &url),
            ("STOA_STRIPE_JS_URL", &js),
        ],
        adjust,
    )
    .await
}

/// Stripe's API as the tests see it (what its dashboard and Stripe.js do, by hand).
fn stripe() -> StripeClient {
    StripeClient::new(&stripe_config())
}

async fn call(method: hyper::Method, path: &str, params: &[(&str, String)]) -> Value {
    stripe()
        .call(method, path, params, None)
        .await
        .unwrap_or_else(|failure| panic!("{path}: {failure:?}"))
}

/// A payment method for `number`, as Stripe.js makes one from the card the shopper typed.
async fn payment_method(number: &str) -> String {
    let method = call(
        hyper::Method::POST,
        "/v1/payment_methods",
        &[
            ("type", "card".into()),
            ("card[number]", number.into()),
            ("card[exp_month]", "12".into()),
            ("card[exp_year]", "2034".into()),
            ("card[cvc]", "123".into()),
        ],
    )
    .await;
    method["id"].as_str().unwrap().to_owned()
}

async fn intent(id: &str) -> Value {
    call(
        hyper::Method::GET,
        &format!("/v1/payment_intents/{id}"),
        &[],
    )
    .await
}

/// Refund amounts Stripe holds for a payment intent.
async fn refunds_at_stripe(intent_id: &str) -> Vec<i64> {
    stripe()
        .refunds_of(intent_id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, amount, _)| amount)
        .collect()
}

struct PlacedWithStripe {
    order_id: i64,
    number: String,
    status: String,
    intent: String,
    total_minor: i64,
}

async fn order_for(app: &TestApp, key: &str) -> Option<PlacedWithStripe> {
    let row: Option<(i64, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, number, status::text, payment_reference, total_minor FROM orders WHERE idempotency_key = $1::uuid",
    )
    .bind(key)
    .fetch_optional(&app.db.pool)
    .await
    .unwrap();
    row.map(
        |(order_id, number, status, intent, total_minor)| PlacedWithStripe {
            order_id,
            number,
            status,
            intent: intent.unwrap_or_default(),
            total_minor,
        },
    )
}

/// A shopper with one unit of a fresh variant in the cart.
async fn shopper_with_cart(app: &TestApp) -> (Shopper, i64) {
    let variant = app.variant_with_stock(5).await;
    let mut shopper = Shopper::default();
    let added = shopper.add_to_cart(app, variant, 1).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    (shopper, variant)
}

async fn place(
    app: &TestApp,
    shopper: &mut Shopper,
    key: &str,
    card: &str,
) -> crate::support::Reply {
    shopper
        .post(app, "/api/checkout/place-order", &checkout_form(key, card))
        .await
}

#[tokio::test]
async fn an_approved_card_is_authorized_then_captured_once_after_the_order_is_stored() {
    let app = stripe_store(|_| {}).await;
    let (mut shopper, _) = shopper_with_cart(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let method = payment_method("4242424242424242").await;
    let placed = place(&app, &mut shopper, &key, &method).await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let order = order_for(&app, &key).await.expect("an order");
    assert_eq!(order.status, "paid");
    assert!(order.intent.starts_with("pi_"), "{}", order.intent);
    let at_stripe = intent(&order.intent).await;
    assert_eq!(at_stripe["status"], "succeeded", "{at_stripe}");
    assert_eq!(at_stripe["amount"].as_i64(), Some(order.total_minor));
    assert_eq!(at_stripe["capture_method"], "manual");
    assert_eq!(at_stripe["metadata"]["stoa_checkout_key"], key.as_str());
    let (brand, last4): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT card_brand, card_last4 FROM orders WHERE id = $1")
            .bind(order.order_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (brand.as_deref(), last4.as_deref()),
        (Some("Visa"), Some("4242"))
    );
    // The number itself is nowhere in the store.
    let everything = app::testing::fixtures::personal_data_as_text(&app.db.pool).await;
    assert!(!everything.contains("4242424242424242"));

    // Submitted again (a refresh, a retry): the same order, no second payment intent.
    let again = place(&app, &mut shopper, &key, &method).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.body.contains(&order.number), "{}", again.body);
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(orders, 1);
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_declined_card_places_nothing_and_keeps_the_cart() {
    let app = stripe_store(|_| {}).await;
    let (mut shopper, _) = shopper_with_cart(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let declined = payment_method("4000000000000341").await;
    let reply = place(&app, &mut shopper, &key, &declined).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("declined"), "{}", reply.body);
    assert!(order_for(&app, &key).await.is_none());
    let cart = shopper.post(&app, "/api/cart/view", "").await;
    assert!(cart.body.contains("\"item_count\":1"), "{}", cart.body);
    // Another card in the same checkout goes through.
    let good = payment_method("4242424242424242").await;
    let reply = place(&app, &mut shopper, &key, &good).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(order_for(&app, &key).await.unwrap().status, "paid");
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_double_submit_places_one_order_and_captures_one_payment() {
    let app = Arc::new(stripe_store(|_| {}).await);
    let (shopper, _) = shopper_with_cart(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let method = payment_method("4242424242424242").await;
    let form = checkout_form(&key, &method);
    let replies = crate::support::submit_all_at_once(
        &app,
        vec![(shopper.clone(), form.clone()), (shopper.clone(), form)],
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let order = order_for(&app, &key).await.unwrap();
    assert_eq!(order.status, "paid");
    // Every payment intent made for this checkout: the order's is captured, any twin is
    // cancelled, none is left holding the shopper's money.
    let intents = call(
        hyper::Method::GET,
        "/v1/payment_intents",
        &[("limit", "100".into())],
    )
    .await;
    let ours: Vec<&Value> = intents["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["metadata"]["stoa_checkout_key"] == key.as_str())
        .collect();
    assert!(!ours.is_empty());
    for intent in &ours {
        let expected = if intent["id"] == order.intent.as_str() {
            "succeeded"
        } else {
            "canceled"
        };
        assert_eq!(intent["status"], expected, "{intent}");
    }
    Arc::try_unwrap(app).ok().unwrap().db.drop_database().await;
}

#[tokio::test]
async fn a_bank_check_is_completed_in_the_browser_then_the_same_checkout_places_the_order() {
    let app = stripe_store(|_| {}).await;
    let (mut shopper, _) = shopper_with_cart(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let three_d_secure = payment_method("4000002500003155").await;
    let reply = place(&app, &mut shopper, &key, &three_d_secure).await;
    assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED, "{}", reply.body);
    let error: Value = serde_json::from_str(&reply.body).unwrap();
    let secret = error["PaymentNeedsConfirmation"]
        .as_str()
        .expect("the client secret")
        .to_owned();
    assert!(order_for(&app, &key).await.is_none());
    let intent_id = secret.split("_secret_").next().unwrap().to_owned();

    // Another checkout cannot use this confirmation.
    let other_key = uuid::Uuid::new_v4().to_string();
    let stolen = place(&app, &mut shopper, &other_key, &intent_id).await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST, "{}", stolen.body);

    // What Stripe.js does when the shopper passes their bank's check.
    let authenticated = call(
        hyper::Method::POST,
        &format!("/v1/payment_intents/{intent_id}/_authenticate"),
        &[
            ("client_secret", secret.clone()),
            ("success", "true".into()),
        ],
    )
    .await;
    assert_eq!(
        authenticated["status"], "requires_capture",
        "{authenticated}"
    );
    let reply = place(&app, &mut shopper, &key, &intent_id).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let order = order_for(&app, &key).await.unwrap();
    assert_eq!(
        (order.status.as_str(), order.intent.as_str()),
        ("paid", intent_id.as_str())
    );
    assert_eq!(intent(&intent_id).await["status"], "succeeded");
    app.db.drop_database().await;
}

async fn staff(_app: &TestApp) -> app::audit::Actor {
    app::testing::fixtures::staff_actor()
}

fn gateways() -> PaymentGateways {
    PaymentGateways::new(
        Some(StripeGateway {
            provider: Arc::new(stripe()),
            browser: app::payments::stripe::StripeBrowserSettings {
                publishable_key: PUBLISHABLE_KEY.into(),
                script_url: String::new(),
            },
        }),
        false,
    )
}

fn refund_form(order_id: i64, amount: &str, key: &str) -> app::orders::manage::model::RefundForm {
    app::orders::manage::model::RefundForm {
        order_id,
        amount: amount.into(),
        reason: "damaged in transit".into(),
        request_key: key.into(),
    }
}

async fn paid_order(app: &TestApp) -> PlacedWithStripe {
    let (mut shopper, _) = shopper_with_cart(app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let method = payment_method("4242424242424242").await;
    let placed = place(app, &mut shopper, &key, &method).await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    order_for(app, &key).await.unwrap()
}

#[tokio::test]
async fn partial_then_full_refunds_move_money_at_stripe_once_each() {
    let app = stripe_store(|_| {}).await;
    let order = paid_order(&app).await;
    let actor = staff(&app).await;
    let first_key = uuid::Uuid::new_v4().to_string();
    let partial = refund_form(order.order_id, "1.00", &first_key);
    app::orders::manage::refund(
        &app.db.pool,
        &gateways(),
        &actor,
        &partial,
        "https://shop.example",
    )
    .await
    .unwrap();
    // A retried submit of the same form refunds nothing more.
    app::orders::manage::refund(
        &app.db.pool,
        &gateways(),
        &actor,
        &partial,
        "https://shop.example",
    )
    .await
    .unwrap();
    assert_eq!(refunds_at_stripe(&order.intent).await, vec![100]);

    // A refund whose answer was lost (a timeout): Stripe refunded, the store recorded
    // nothing. Retrying the form finds Stripe's refund by its key instead of refunding again.
    let rest = format!(
        "{}.{:02}",
        (order.total_minor - 100) / 100,
        (order.total_minor - 100) % 100
    );
    let lost_key = uuid::Uuid::new_v4().to_string();
    let currency = app::kernel::money::CurrencyCode::parse("USD").unwrap();
    stripe()
        .refund(RefundRequest {
            payment_reference: &order.intent,
            amount: &app::kernel::money::Money::new(order.total_minor - 100, currency),
            refund_key: lost_key.clone(),
        })
        .await
        .unwrap();
    app::orders::manage::refund(
        &app.db.pool,
        &gateways(),
        &actor,
        &refund_form(order.order_id, &rest, &lost_key),
        "https://shop.example",
    )
    .await
    .unwrap();
    let mut at_stripe = refunds_at_stripe(&order.intent).await;
    at_stripe.sort();
    assert_eq!(at_stripe.len(), 2, "{at_stripe:?}");
    assert_eq!(at_stripe.iter().sum::<i64>(), order.total_minor);
    let (status, refunded, rows): (String, i64, i64) = sqlx::query_as(
        "SELECT status::text, refunded_minor, (SELECT count(*) FROM order_refunds WHERE order_id = $1 AND provider_reference LIKE 're_%')
         FROM orders WHERE id = $1",
    )
    .bind(order.order_id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), refunded, rows),
        ("refunded", order.total_minor, 2)
    );

    // Stripe refuses more than was captured: nothing is recorded, staff read why.
    let error = app::orders::manage::refund(
        &app.db.pool,
        &gateways(),
        &actor,
        &refund_form(order.order_id, "1.00", &uuid::Uuid::new_v4().to_string()),
        "https://shop.example",
    )
    .await
    .unwrap_err();
    assert!(
        error.to_string().contains("cannot be refunded") || error.to_string().contains("At most"),
        "{error}"
    );
    app.db.drop_database().await;
}

/// Fails the first capture, as a network error after the order was stored would, then
/// hands every call to Stripe.
struct CaptureFailsOnce {
    stripe: StripeClient,
    failed: AtomicBool,
}

impl PaymentProvider for CaptureFailsOnce {
    fn code(&self) -> &'static str {
        "stripe"
    }
    fn authorize<'a>(
        &'a self,
        request: AuthorizeRequest<'a>,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>> {
        self.stripe.authorize(request)
    }
    fn capture<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        if !self.failed.swap(true, Ordering::SeqCst) {
            return Box::pin(async { Err(PaymentError::Unavailable) });
        }
        self.stripe.capture(authorization)
    }
    fn void<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        self.stripe.void(authorization)
    }
    fn refund<'a>(
        &'a self,
        request: RefundRequest<'a>,
    ) -> PaymentFuture<'a, Result<ProviderRefund, PaymentError>> {
        self.stripe.refund(request)
    }
}

async fn store_whose_first_capture_fails() -> TestApp {
    stripe_store(|state| {
        state.payments = PaymentGateways::new(
            Some(StripeGateway {
                provider: Arc::new(CaptureFailsOnce {
                    stripe: stripe(),
                    failed: AtomicBool::new(false),
                }),
                browser: app::payments::stripe::StripeBrowserSettings {
                    publishable_key: PUBLISHABLE_KEY.into(),
                    script_url: String::new(),
                },
            }),
            false,
        );
    })
    .await
}

#[tokio::test]
async fn a_failed_capture_flags_the_order_and_staff_can_retry_it() {
    let app = store_whose_first_capture_fails().await;
    let order = paid_order(&app).await;
    assert_eq!(order.status, "pending_payment");
    let flag: Option<String> =
        sqlx::query_scalar("SELECT payment_attention FROM orders WHERE id = $1")
            .bind(order.order_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(flag.as_deref(), Some("capture_failed"));
    assert_eq!(intent(&order.intent).await["status"], "requires_capture");
    let attention_on_dashboard = || async {
        app::admin::dashboard::figures::dashboard(&app.db.pool)
            .await
            .unwrap()
            .payment_attention_count
    };
    assert_eq!(attention_on_dashboard().await, 1);

    let actor = staff(&app).await;
    app::orders::manage::retry_capture(&app.db.pool, &gateways(), &actor, order.order_id)
        .await
        .unwrap();
    // A second click changes nothing.
    app::orders::manage::retry_capture(&app.db.pool, &gateways(), &actor, order.order_id)
        .await
        .unwrap();
    let (status, flag): (String, Option<String>) =
        sqlx::query_as("SELECT status::text, payment_attention FROM orders WHERE id = $1")
            .bind(order.order_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), flag), ("paid", None));
    assert_eq!(intent(&order.intent).await["status"], "succeeded");
    assert_eq!(attention_on_dashboard().await, 0);
    app.db.drop_database().await;
}

#[tokio::test]
async fn cancelling_an_order_whose_capture_failed_voids_the_card_and_restocks() {
    let app = store_whose_first_capture_fails().await;
    let (mut shopper, variant) = shopper_with_cart(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let method = payment_method("4242424242424242").await;
    assert_eq!(
        place(&app, &mut shopper, &key, &method).await.status,
        StatusCode::OK
    );
    let order = order_for(&app, &key).await.unwrap();
    assert_eq!(
        app::testing::fixtures::stock_of(&app.db.pool, variant).await,
        4
    );
    let actor = staff(&app).await;
    app::orders::manage::cancel(
        &app.db.pool,
        &gateways(),
        &actor,
        order.order_id,
        "https://shop.example",
    )
    .await
    .unwrap();
    assert_eq!(intent(&order.intent).await["status"], "canceled");
    assert_eq!(
        app::testing::fixtures::stock_of(&app.db.pool, variant).await,
        5
    );
    assert_eq!(order_for(&app, &key).await.unwrap().status, "cancelled");
    app.db.drop_database().await;
}

fn signed(body: &str, secret: &str) -> String {
    stoa_server::jobs::webhooks::signature(secret, chrono::Utc::now().timestamp(), body.as_bytes())
}

async fn deliver(app: &TestApp, body: &str, signature: Option<String>) -> crate::support::Reply {
    let mut request = axum::http::Request::post("/webhooks/stripe")
        .header(axum::http::header::CONTENT_TYPE, "application/json");
    if let Some(signature) = signature {
        request = request.header("Stripe-Signature", signature);
    }
    app.send(
        request
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

async fn events_and_refunds(app: &TestApp, order_id: i64) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM payment_events), (SELECT count(*) FROM order_refunds WHERE order_id = $1),
                (SELECT refunded_minor FROM orders WHERE id = $1)",
    )
    .bind(order_id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_refund_made_in_stripes_dashboard_is_recorded_once_from_its_event() {
    let app = stripe_store(|_| {}).await;
    let order = paid_order(&app).await;
    // Made in Stripe's dashboard: the store hears of it from the event only.
    call(
        hyper::Method::POST,
        "/v1/refunds",
        &[
            ("payment_intent", order.intent.clone()),
            ("amount", "250".into()),
        ],
    )
    .await;
    let event = serde_json::json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "type": "charge.refunded",
        "data": { "object": { "object": "charge", "payment_intent": order.intent } },
    })
    .to_string();

    let forged = deliver(&app, &event, Some(signed(&event, "whsec_someone_else"))).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{}", forged.body);
    let unsigned = deliver(&app, &event, None).await;
    assert_eq!(
        unsigned.status,
        StatusCode::BAD_REQUEST,
        "{}",
        unsigned.body
    );
    assert_eq!(events_and_refunds(&app, order.order_id).await, (0, 0, 0));

    let first = deliver(&app, &event, Some(signed(&event, WEBHOOK_SECRET))).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("refund_recorded"), "{}", first.body);
    let again = deliver(&app, &event, Some(signed(&event, WEBHOOK_SECRET))).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.body.contains("duplicate"), "{}", again.body);
    assert_eq!(events_and_refunds(&app, order.order_id).await, (1, 1, 250));
    let made_in: String =
        sqlx::query_scalar("SELECT made_in FROM order_refunds WHERE order_id = $1")
            .bind(order.order_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(made_in, "provider");
    app.db.drop_database().await;
}

#[tokio::test]
async fn a_dispute_flags_the_order_and_events_about_unknown_payments_are_acknowledged() {
    let app = stripe_store(|_| {}).await;
    let order = paid_order(&app).await;
    let dispute = serde_json::json!({
        "id": "evt_dispute_1",
        "type": "charge.dispute.created",
        "data": { "object": { "object": "dispute", "payment_intent": order.intent, "reason": "fraudulent" } },
    })
    .to_string();
    let reply = deliver(&app, &dispute, Some(signed(&dispute, WEBHOOK_SECRET))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (flag, detail): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT payment_attention, payment_attention_detail FROM orders WHERE id = $1",
    )
    .bind(order.order_id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(flag.as_deref(), Some("disputed"));
    assert!(detail.unwrap_or_default().contains("fraudulent"));

    let stranger = serde_json::json!({
        "id": "evt_unknown_1",
        "type": "payment_intent.succeeded",
        "data": { "object": { "object": "payment_intent", "id": "pi_not_ours" } },
    })
    .to_string();
    let reply = deliver(&app, &stranger, Some(signed(&stranger, WEBHOOK_SECRET))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("unknown_payment"), "{}", reply.body);
    app.db.drop_database().await;
}

/// `stoa payments reconcile` against this store's database and the test server.
fn reconcile_command(app: &TestApp, options: &[&str]) -> std::process::Output {
    let url = stripe_url();
    std::process::Command::new(env!("CARGO_BIN_EXE_stoa"))
        .args(["payments", "reconcile"])
        .args(options)
        .env("DATABASE_URL", app.db.url())
        .env("STOA_ENV", "development")
        .env("STOA_STRIPE_SECRET_KEY", SECRET_KEY)
        .env("STOA_STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
        .env("STOA_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("STOA_STRIPE_API_BASE", &url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn reconciliation_lists_what_stripe_and_the_store_disagree_about() {
    use stoa_server::payments::reconcile::{reconcile, DifferenceKind};
    let app = store_whose_first_capture_fails().await;
    // Waits for payment: its capture failed, and Stripe holds the authorization.
    let waiting = paid_order(&app).await;
    assert_eq!(waiting.status, "pending_payment");
    let paid = paid_order(&app).await;
    assert_eq!(paid.status, "paid");
    let since = chrono::Utc::now() - chrono::Duration::hours(1);

    let agreed = reconcile(&app.db.pool, &stripe(), since).await.unwrap();
    assert_eq!(agreed.orders_checked, 2);
    assert!(agreed.differences.is_empty(), "{:?}", agreed.differences);
    let output = reconcile_command(&app, &[]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("2 Stripe orders since"));

    // Someone captures the waiting payment and refunds part of the paid one in Stripe's
    // dashboard, and no event reaches the store.
    call(
        hyper::Method::POST,
        &format!("/v1/payment_intents/{}/capture", waiting.intent),
        &[],
    )
    .await;
    call(
        hyper::Method::POST,
        "/v1/refunds",
        &[
            ("payment_intent", paid.intent.clone()),
            ("amount", "100".into()),
        ],
    )
    .await;

    let found = reconcile(&app.db.pool, &stripe(), since).await.unwrap();
    let mut kinds: Vec<(String, DifferenceKind)> = found
        .differences
        .iter()
        .map(|d| (d.order_number.clone(), d.kind))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected = vec![
        (waiting.number.clone(), DifferenceKind::CapturedNotRecorded),
        (paid.number.clone(), DifferenceKind::RefundMismatch),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(kinds, expected);

    let output = reconcile_command(&app, &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let listed = String::from_utf8_lossy(&output.stdout);
    assert!(listed.contains(&waiting.number) && listed.contains("captured but not recorded"));
    assert!(listed.contains(&paid.number) && listed.contains("refunds differ"));
    assert!(
        !listed.contains(SECRET_KEY)
            && !String::from_utf8_lossy(&output.stderr).contains(SECRET_KEY)
    );
    // Orders placed before `--since` are not compared.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let output = reconcile_command(&app, &["--since", &tomorrow]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 Stripe orders since"));
    app.db.drop_database().await;
}

/// Places the cart's order with a new card, asking to keep the card for next time.
async fn place_saving_card(
    app: &TestApp,
    shopper: &mut Shopper,
    key: &str,
    method: &str,
) -> crate::support::Reply {
    let form = format!("{}&form[save_card]=on", checkout_form(key, method));
    shopper.post(app, "/api/checkout/place-order", &form).await
}

async fn payment_method_at_stripe(method: &str) -> Value {
    call(
        hyper::Method::GET,
        &format!("/v1/payment_methods/{method}"),
        &[],
    )
    .await
}

/// The checkout form paying with one of the shopper's saved cards.
fn saved_card_form(key: &str, card_id: i64) -> String {
    checkout_form(key, "").replace(
        "form[payment_method]=manual",
        &format!("form[payment_method]=stripe&form[saved_card]={card_id}"),
    )
}

async fn saved_cards_of(app: &TestApp, account: i64) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "SELECT id, provider_reference, last4 FROM saved_cards WHERE account_id = $1 ORDER BY id",
    )
    .bind(account)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// A signed-in customer with one unit in the cart.
async fn signed_in_customer(app: &TestApp, email: &str) -> (Shopper, i64) {
    let account = crate::support::customer_account(app, email, "correct horse battery").await;
    let mut shopper = Shopper::default();
    shopper.log_in(app, email, "correct horse battery").await;
    let variant = app.variant_with_stock(10).await;
    assert_eq!(
        shopper.add_to_cart(app, variant, 1).await.status,
        StatusCode::OK
    );
    (shopper, account)
}

/// A signed-in customer whose first order was paid with a Visa card they chose to keep:
/// (shopper, account, the card's payment method, the order's checkout key).
async fn customer_with_saved_card(app: &TestApp, email: &str) -> (Shopper, i64, String, String) {
    let (mut shopper, account) = signed_in_customer(app, email).await;
    let method = payment_method("4242424242424242").await;
    let key = uuid::Uuid::new_v4().to_string();
    let placed = place_saving_card(app, &mut shopper, &key, &method).await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    (shopper, account, method, key)
}

async fn stripe_customer_of(app: &TestApp, account: i64) -> String {
    sqlx::query_scalar("SELECT stripe_customer_id FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_saves_a_card_pays_with_it_next_time_and_removes_it() {
    let app = stripe_store(|_| {}).await;
    let (mut shopper, account, method, key) =
        customer_with_saved_card(&app, "ada@example.com").await;
    let first = order_for(&app, &key).await.unwrap();
    assert_eq!(first.status, "paid");
    let cards = saved_cards_of(&app, account).await;
    assert_eq!(cards.len(), 1);
    let (card_id, reference, last4) = cards[0].clone();
    assert_eq!(
        (reference.as_str(), last4.as_str()),
        (method.as_str(), "4242")
    );
    let customer = stripe_customer_of(&app, account).await;
    let at_stripe = payment_method_at_stripe(&method).await;
    assert_eq!(at_stripe["customer"], customer.as_str());

    // The checkout page offers it; the next order is paid with it, no card typed.
    let page = shopper.post(&app, "/api/checkout/page", "").await;
    assert!(
        page.body.contains("4242") && page.body.contains(&format!("\"id\":{card_id}")),
        "{}",
        page.body
    );
    let variant = app.variant_with_stock(3).await;
    shopper.add_to_cart(&app, variant, 1).await;
    let key = uuid::Uuid::new_v4().to_string();
    let again = shopper
        .post(
            &app,
            "/api/checkout/place-order",
            &saved_card_form(&key, card_id),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let second = order_for(&app, &key).await.unwrap();
    assert_eq!(second.status, "paid");
    let charged = intent(&second.intent).await;
    assert_eq!(
        (
            charged["payment_method"].as_str(),
            charged["customer"].as_str()
        ),
        (Some(method.as_str()), Some(customer.as_str()))
    );

    // The data export lists it by brand, last four and expiry, never by reference.
    let export = app::accounts::gdpr::export(&app.db.pool, account)
        .await
        .unwrap();
    assert_eq!(export["saved_cards"][0]["last4"], "4242");
    assert_eq!(export["saved_cards"][0]["exp_year"], 2034);
    assert!(!export.to_string().contains(&method));

    // Removing it detaches it at Stripe; a second click finds nothing to remove.
    let removed = shopper
        .post(&app, "/api/account/cards/remove", &format!("id={card_id}"))
        .await;
    assert!(
        removed.status.is_success() || removed.status.is_redirection(),
        "{}",
        removed.body
    );
    assert!(saved_cards_of(&app, account).await.is_empty());
    let at_stripe = payment_method_at_stripe(&method).await;
    assert!(at_stripe["customer"].is_null(), "{at_stripe}");
    let again = shopper
        .post(&app, "/api/account/cards/remove", &format!("id={card_id}"))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    app.db.drop_database().await;
}

#[tokio::test]
async fn saved_cards_stay_with_their_owner_and_a_declined_card_is_not_kept() {
    let app = stripe_store(|_| {}).await;
    let (mut ada, ada_account, _, _) = customer_with_saved_card(&app, "ada@example.com").await;
    let ada_card = saved_cards_of(&app, ada_account).await[0].0;

    // Another customer naming Ada's card pays nothing and places nothing.
    let (mut grace, _) = signed_in_customer(&app, "grace@example.com").await;
    let key = uuid::Uuid::new_v4().to_string();
    let refused = grace
        .post(
            &app,
            "/api/checkout/place-order",
            &saved_card_form(&key, ada_card),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("saved card"), "{}", refused.body);
    assert!(order_for(&app, &key).await.is_none());
    // Neither can a guest save a card.
    let (mut guest, _) = shopper_with_cart(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let guest_method = payment_method("4242424242424242").await;
    let refused = place_saving_card(&app, &mut guest, &key, &guest_method).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("Log in"), "{}", refused.body);

    // A card the bank declines is not kept, here or at Stripe.
    let variant = app.variant_with_stock(3).await;
    ada.add_to_cart(&app, variant, 1).await;
    let key = uuid::Uuid::new_v4().to_string();
    let declined_method = payment_method("4000000000000341").await;
    let declined = ada
        .post(
            &app,
            "/api/checkout/place-order",
            &format!(
                "{}&form[save_card]=on",
                checkout_form(&key, &declined_method)
            ),
        )
        .await;
    assert_eq!(
        declined.status,
        StatusCode::BAD_REQUEST,
        "{}",
        declined.body
    );
    assert_eq!(saved_cards_of(&app, ada_account).await.len(), 1);
    let at_stripe = payment_method_at_stripe(&declined_method).await;
    assert!(at_stripe["customer"].is_null(), "{at_stripe}");
    app.db.drop_database().await;
}

#[tokio::test]
async fn erasing_an_account_detaches_its_cards_and_deletes_its_customer_at_stripe() {
    let app = stripe_store(|_| {}).await;
    let (_, account, method, _) = customer_with_saved_card(&app, "ada@example.com").await;
    let customer = stripe_customer_of(&app, account).await;

    app::accounts::gdpr::erase(&app.db.pool, &gateways(), account, None)
        .await
        .unwrap();
    assert_eq!(app.count("SELECT count(*) FROM saved_cards").await, 0);
    let at_stripe = payment_method_at_stripe(&method).await;
    assert!(at_stripe["customer"].is_null(), "{at_stripe}");
    let gone = stripe()
        .call(
            hyper::Method::GET,
            &format!("/v1/customers/{customer}"),
            &[],
            None,
        )
        .await;
    assert!(
        matches!(
            gone,
            Err(stoa_server::payments::stripe::StripeFailure::Missing(_))
        ),
        "{gone:?}"
    );
    app.db.drop_database().await;
}
