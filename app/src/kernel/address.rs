//! Postal addresses: what a shopper types, checked field by field into an address a
//! parcel can be sent to. Shared by checkout, the address book and orders.

use crate::kernel::countries::country;
use serde::{Deserialize, Serialize};

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
