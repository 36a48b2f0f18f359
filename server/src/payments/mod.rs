//! Payment providers that talk to the outside: Stripe's HTTP API, and the signature on
//! the events it sends. The domain side (what an authorization, a refund or an event
//! means for an order) is `app::payments` and `app::orders`.

pub mod reconcile;
pub mod signature;
pub mod stripe;

use crate::config::Config;
use app::payments::{PaymentGateways, StripeGateway};
use std::sync::Arc;

/// Where Stripe sends its events (configure this URL in Stripe's dashboard).
pub const STRIPE_EVENTS_PATH: &str = "/webhooks/stripe";

/// The gateways this configuration enables: Stripe when its keys are set; the demo card
/// gateway outside production when Stripe is not.
pub fn gateways(config: &Config, client: Option<Arc<stripe::StripeClient>>) -> PaymentGateways {
    let stripe = config
        .stripe
        .as_ref()
        .zip(client)
        .map(|(stripe, client)| StripeGateway {
            provider: client,
            browser: app::payments::stripe::StripeBrowserSettings {
                publishable_key: stripe.publishable_key.clone(),
                script_url: stripe.js_url.clone(),
            },
        });
    let offers_test_card = config.environment != crate::config::Environment::Production;
    PaymentGateways::new(stripe, offers_test_card)
}
