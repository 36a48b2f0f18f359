//! Checkout types shared by the server and the browser.

use crate::cart::model::CartLineView;
use crate::checkout::countries::country;
use crate::checkout::pricing::{ShippingMethod, Totals};
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
}

/// A shipping address whose every field has been checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddress {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
}

fn required(value: &str, label: &str, max: usize, problems: &mut Vec<String>) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push(format!("{label} is required."));
    } else if value.chars().count() > max {
        problems.push(format!("{label} can be at most {max} characters."));
    } else if value.chars().any(char::is_control) {
        problems.push(format!(
            "{label} contains characters we cannot print on a label."
        ));
    }
    value.to_owned()
}

/// An address as typed into a form (the address book's), parsed on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressForm {
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
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

    /// Checks every field and reports every problem at once.
    pub fn parse_fields(form: &AddressForm) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let name = required(&form.name, "Full name", 100, &mut problems);
        let line1 = required(&form.line1, "Address", 200, &mut problems);
        let line2 = form.line2.trim().to_owned();
        if line2.chars().count() > 200 || line2.chars().any(char::is_control) {
            problems.push("Address line 2 can be at most 200 printable characters.".to_owned());
        }
        let city = required(&form.city, "City", 100, &mut problems);
        let mut postal_code = form.postal_code.trim().to_owned();
        match country(form.country.trim()) {
            None => problems.push("Choose a country from the list.".to_owned()),
            Some(c) => match c.normalise_postal_code(&form.postal_code) {
                Some(code) => postal_code = code,
                None => problems.push(format!(
                    "Postal code does not look like a {} postal code (for example {}).",
                    c.name, c.postal_example
                )),
            },
        }
        if problems.is_empty() {
            Ok(Self {
                name,
                line1,
                line2,
                city,
                postal_code,
                country: form.country.trim().to_owned(),
            })
        } else {
            Err(problems)
        }
    }
}

/// A shipping choice with what it costs for the current cart, and the resulting totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingQuote {
    pub method: ShippingMethod,
    pub totals: Totals,
}

/// Everything the checkout page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPage {
    /// Issued with this page: submitting twice places one order.
    pub idempotency_key: String,
    pub currency: String,
    pub lines: Vec<CartLineView>,
    pub quotes: Vec<ShippingQuote>,
    /// For a logged-in customer: their email and default address, filled in.
    pub prefill: Option<CheckoutPrefill>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPrefill {
    pub email: String,
    pub address: Option<ShippingAddress>,
}

/// What the shopper sees after placing an order, and when looking it up again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReceipt {
    pub number: String,
    pub status_label: String,
    pub email: String,
    pub placed_at: String,
    pub lines: Vec<ReceiptLine>,
    pub currency: String,
    pub totals: Totals,
    pub shipping_method: String,
    pub address: ShippingAddress,
    pub payment: String,
    pub history: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub product_name: String,
    pub option_values: Vec<String>,
    pub sku: String,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
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
