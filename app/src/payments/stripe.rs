//! What the store knows of Stripe without talking to it: the shape of the ids the
//! browser hands over, and the keys that derive Stripe's idempotency keys from ours. The
//! HTTP client is the server's (`server::payments::stripe`).

#[cfg(feature = "ssr")]
use uuid::Uuid;

/// What Stripe's script in the shopper's browser hands over for the checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StripePayment {
    /// A payment method (`pm_…`; `card_…` or a card token `tok_…` from Stripe.js
    /// stand-ins without payment methods): authorize it now.
    Method(String),
    /// A payment intent the shopper has just confirmed with their bank (3-D Secure): the
    /// store checks it is ours, for this checkout and amount, before using it.
    AuthenticatedIntent(String),
    /// One of the signed-in shopper's saved cards (the store's id for it): the checkout
    /// turns it into the provider's reference before authorizing.
    SavedCard(i64),
}

fn is_stripe_id(text: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| {
        text.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|rest| {
                (1..=250).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_alphanumeric())
            })
    })
}

impl StripePayment {
    /// From the checkout form's fields: the confirmed intent wins, then a saved card
    /// chosen, then the new card's payment method.
    pub fn parse(method: &str, intent: &str, saved_card: &str) -> Result<Self, String> {
        let (method, intent, saved_card) = (method.trim(), intent.trim(), saved_card.trim());
        if !intent.is_empty() {
            return if is_stripe_id(intent, &["pi"]) {
                Ok(Self::AuthenticatedIntent(intent.to_owned()))
            } else {
                Err("The card confirmation could not be read. Enter your card again.".to_owned())
            };
        }
        if !saved_card.is_empty() {
            return saved_card
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Self::SavedCard)
                .ok_or_else(|| "Choose one of your saved cards.".to_owned());
        }
        if method.is_empty() {
            return Err("Enter your card details.".to_owned());
        }

        if is_stripe_id(method, &["pm", "card", "src", "tok"]) {
            Ok(Self::Method(method.to_owned()))
        } else {
            Err("The card details could not be read. Enter your card again.".to_owned())
        }
    }
}

/// Stripe's `Idempotency-Key` for one step of one checkout or refund. The authorization
/// key names the payment method too: a shopper whose card was declined may try another
/// card in the same checkout, which Stripe would otherwise answer with the first decline.
#[cfg(feature = "ssr")]
pub fn idempotency_key(step: &str, our_key: Uuid, payment_method: Option<&str>) -> String {
    match payment_method {
        Some(method) => format!("stoa-{step}-{}-{method}", our_key.simple()),
        None => format!("stoa-{step}-{}", our_key.simple()),
    }
}

/// The metadata key on payment intents and refunds that names our checkout or refund key,
/// so a retry after a timeout finds what the first attempt made.
pub const CHECKOUT_KEY_METADATA: &str = "stoa_checkout_key";
pub const REFUND_KEY_METADATA: &str = "stoa_refund_key";

/// What the checkout page needs to load Stripe's script.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StripeBrowserSettings {
    pub publishable_key: String,
    /// Stripe.js (`https://js.stripe.com/v3/`, or the local test server's stand-in).
    pub script_url: String,
}

impl StripeBrowserSettings {
    /// The origins the checkout page lets load scripts, frames and requests: the script's
    /// own, and with Stripe's real script, its API and the bank checks' frames.
    pub fn origins(&self) -> Vec<String> {
        let origin = self
            .script_url
            .splitn(4, '/')
            .take(3)
            .collect::<Vec<_>>()
            .join("/");
        let mut origins = vec![origin];
        if self.script_url.starts_with("https://js.stripe.com/") {
            origins.extend([
                "https://api.stripe.com".into(),
                "https://hooks.stripe.com".into(),
            ]);
        }
        origins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkout_page_allows_the_script_origin_and_stripes_api() {
        let settings = |url: &str| StripeBrowserSettings {
            publishable_key: "pk_test_1".into(),
            script_url: url.into(),
        };
        assert_eq!(
            settings("http://127.0.0.1:8420/js.stripe.com/v3/").origins(),
            vec!["http://127.0.0.1:8420".to_owned()]
        );
        assert_eq!(
            settings("https://js.stripe.com/v3/").origins(),
            vec![
                "https://js.stripe.com",
                "https://api.stripe.com",
                "https://hooks.stripe.com"
            ]
        );
    }

    #[test]
    fn browser_ids_are_accepted_only_in_stripe_shape() {
        assert_eq!(
            StripePayment::parse("pm_1Abc", "", ""),
            Ok(StripePayment::Method("pm_1Abc".into()))
        );
        assert_eq!(
            StripePayment::parse("tok_1Abc", "", ""),
            Ok(StripePayment::Method("tok_1Abc".into()))
        );
        assert_eq!(
            StripePayment::parse("card_9", "pi_42", "3"),
            Ok(StripePayment::AuthenticatedIntent("pi_42".into()))
        );
        assert_eq!(
            StripePayment::parse("", "", " 7 "),
            Ok(StripePayment::SavedCard(7))
        );
        for bad in ["", "pm_", "pm_a b", "cus_123", "pm_\0x", "pm_ä"] {
            assert!(StripePayment::parse(bad, "", "").is_err(), "{bad:?}");
        }
        for bad in ["0", "-1", "x", "1\0", "99999999999999999999"] {
            assert!(StripePayment::parse("pm_1", "", bad).is_err(), "{bad:?}");
        }
        assert!(StripePayment::parse("pm_1", "pm_1", "").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn each_card_tried_in_a_checkout_gets_its_own_authorization_key() {
        let key = Uuid::new_v4();
        let first = idempotency_key("authorize", key, Some("pm_a"));
        assert_eq!(first, idempotency_key("authorize", key, Some("pm_a")));
        assert_ne!(first, idempotency_key("authorize", key, Some("pm_b")));
        assert_ne!(
            idempotency_key("capture", key, None),
            idempotency_key("void", key, None)
        );
    }
}
