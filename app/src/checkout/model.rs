//! Checkout types shared by the server and the browser.

use crate::cart::model::CartLineView;
use crate::kernel::address::{AddressForm, ShippingAddress};
use crate::pricing::{ShippingMethod, Totals};
use serde::{Deserialize, Serialize};

/// The checkout form as submitted: raw text, parsed on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutForm {
    pub idempotency_key: String,
    pub email: String,
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub shipping_method: String,
    pub payment_method: String,
    #[serde(default)]
    pub card_number: String,
    #[serde(default)]
    pub card_expiry: String,
    #[serde(default)]
    pub card_cvc: String,
    /// Stripe: the payment method its script made from the card the shopper entered.
    #[serde(default)]
    pub stripe_payment_method: String,
    /// Stripe: the payment intent the shopper confirmed with their bank (3-D Secure).
    #[serde(default)]
    pub stripe_payment_intent: String,
    /// A signed-in shopper's saved card to pay with (its id); empty for a new card.
    #[serde(default)]
    pub saved_card: String,
    /// `on` when a signed-in shopper agreed to keep this new card for next time.
    #[serde(default)]
    pub save_card: String,
}

impl ShippingAddress {
    /// Checks the checkout form's address fields.
    pub fn parse(form: &CheckoutForm) -> Result<Self, Vec<String>> {
        Self::parse_fields(&AddressForm {
            name: form.name.clone(),
            line1: form.line1.clone(),
            line2: form.line2.clone(),
            city: form.city.clone(),
            postal_code: form.postal_code.clone(),
            country: form.country.clone(),
        })
    }
}

/// A shipping choice with what it costs for the current cart, and the resulting totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingQuote {
    pub method: ShippingMethod,
    pub totals: Totals,
    /// Each promotion taken off, by name.
    pub discounts: Vec<crate::promotions::model::DiscountLine>,
}

/// Everything the checkout page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPage {
    /// Issued with this page: submitting twice places one order.
    pub idempotency_key: String,
    pub currency: String,
    pub lines: Vec<CartLineView>,
    pub shipping: ShippingOptions,
    /// The discount code entered in the cart, and why it takes nothing off when it does not.
    pub code: Option<String>,
    pub code_problem: Option<String>,
    /// A code that is fine but left out, because better promotions do not combine with it.
    pub code_note: Option<String>,
    /// For a logged-in customer: their email and default address, filled in.
    pub prefill: Option<CheckoutPrefill>,
    /// The card provider offered (`stripe`, `test-card`), if any; manual payment always is.
    pub card_method: Option<String>,
    /// Present when cards go through Stripe: what the page needs to load its script.
    pub stripe: Option<crate::payments::stripe::StripeBrowserSettings>,
    /// A signed-in shopper's saved cards, and whether they may save a new one.
    pub saved_cards: Vec<crate::accounts::model::SavedCard>,
    pub can_save_card: bool,
}

/// The shipping methods offered to a country, each with the order's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingOptions {
    pub country: String,
    pub quotes: Vec<ShippingQuote>,
    /// Why nothing is offered: the store does not deliver there.
    pub not_delivered: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPrefill {
    pub email: String,
    pub address: Option<ShippingAddress>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CheckoutForm {
        CheckoutForm {
            name: "Ada Lovelace".into(),
            line1: "12 Analytical Row".into(),
            city: "London".into(),
            postal_code: "sw1a 1aa".into(),
            country: "GB".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_address_parses_with_a_normalised_postal_code() {
        let address = ShippingAddress::parse(&form()).unwrap();
        assert_eq!(address.postal_code, "SW1A 1AA");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = CheckoutForm {
            name: " ".into(),
            city: "x".repeat(101),
            postal_code: "12".into(),
            ..form()
        };
        let problems = ShippingAddress::parse(&bad).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let unknown = CheckoutForm {
            country: "XX".into(),
            ..form()
        };
        assert_eq!(
            ShippingAddress::parse(&unknown).unwrap_err(),
            ["Choose a country from the list."]
        );
    }
}
