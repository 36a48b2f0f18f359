//! Cart types shared by the server and the browser.

use crate::kernel::money::Money;
use serde::{Deserialize, Serialize};

pub const MAX_QUANTITY: i32 = 99;

/// How many units of one variant a cart line holds: 1 to 99.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct Quantity(i32);

impl Quantity {
    pub fn parse(value: i64) -> Result<Self, String> {
        match i32::try_from(value) {
            Ok(v) if (1..=MAX_QUANTITY).contains(&v) => Ok(Self(v)),
            _ => Err(format!("Choose a quantity from 1 to {MAX_QUANTITY}.")),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for Quantity {
    type Error = String;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Self::parse(i64::from(value))
    }
}

impl From<Quantity> for i32 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

/// One line of a cart as shown to the shopper, priced from the catalog at view time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    pub variant_id: i64,
    pub sku: String,
    pub product_slug: String,
    pub product_name: String,
    pub option_values: Vec<String>,
    pub unit_price: Money,
    pub quantity: i32,
    pub line_total: Money,
    /// Units in stock now; a line asking for more cannot be checked out.
    pub available: i32,
    /// The product's category, which decides its tax rate.
    pub category_id: i64,
    /// For promotions on given products.
    pub product_id: i64,
    /// One unit packed, for shipping rates by weight.
    pub weight_grams: i32,
    /// The product's own tax category; `None`: its category's.
    pub tax_category_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_run_from_one_to_ninety_nine() {
        assert_eq!(Quantity::parse(1).unwrap().get(), 1);
        assert_eq!(Quantity::parse(99).unwrap().get(), 99);
        for bad in [0, -1, 100, i64::from(i32::MAX) + 1, i64::MIN] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
    }
}

/// The whole cart as the cart page and the header show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLineView>,
    pub subtotal: Money,
    pub item_count: i32,
    /// Promotions the cart gets now, by name (free shipping is worked out at checkout).
    pub discounts: Vec<crate::promotions::model::DiscountLine>,
    /// The subtotal after those discounts.
    pub discounted_subtotal: Money,
    /// The discount code entered, why it cannot be used, or why it is left out.
    pub code: Option<String>,
    pub code_problem: Option<String>,
}
