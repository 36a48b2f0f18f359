//! Shipping and tax arithmetic, in integer minor units, shared by the checkout summary
//! and the order placement so both always agree to the cent.

pub mod model;
#[cfg(feature = "ssr")]
pub mod rates;
#[cfg(feature = "ssr")]
pub mod settings;

use serde::{Deserialize, Serialize};

/// A shipping method as configured in the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ShippingMethod {
    pub code: String,
    pub name: String,
    pub price_minor: i64,
    pub free_over_minor: Option<i64>,
}

impl ShippingMethod {
    /// Flat rate, or free once the subtotal reaches the threshold.
    pub fn price_for(&self, subtotal_minor: i64) -> i64 {
        match self.free_over_minor {
            Some(threshold) if subtotal_minor >= threshold => 0,
            _ => self.price_minor,
        }
    }
}

/// One line to price: unit price, quantity, the tax rate of its category and what
/// promotions take off it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineToPrice {
    pub unit_price_minor: i64,
    pub quantity: i32,
    /// Basis points: 825 is 8.25 %.
    pub tax_rate_bp: i32,
    pub discount_minor: i64,
}

impl LineToPrice {
    pub fn total_minor(&self) -> i64 {
        self.unit_price_minor * i64::from(self.quantity)
    }

    /// The tax in what the shopper pays for this line (after its discounts).
    pub fn tax_minor(&self, prices_include_tax: bool) -> i64 {
        line_tax(
            self.total_minor() - self.discount_minor,
            self.tax_rate_bp,
            prices_include_tax,
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Before discounts.
    pub subtotal_minor: i64,
    /// Everything promotions take off, the lines' and the shipping's.
    pub discount_minor: i64,
    /// The method's price, before a free-shipping promotion.
    pub shipping_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    /// true: the subtotal already contains the tax; false: the tax is added to the total.
    pub prices_include_tax: bool,
}

/// Rounds `numerator / denominator` half away from zero (all inputs are non-negative).
fn divide_rounding_half_up(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((2 * numerator + denominator) / (2 * denominator)).unwrap_or(i64::MAX)
}

/// The tax in a line total. Inclusive: the part of a gross amount that is tax,
/// `gross × r / (1 + r)`; exclusive: `net × r`. Rounded to the nearest minor unit.
pub fn line_tax(line_total_minor: i64, tax_rate_bp: i32, prices_include_tax: bool) -> i64 {
    let total = i128::from(line_total_minor);
    let rate = i128::from(tax_rate_bp);
    if prices_include_tax {
        divide_rounding_half_up(total * rate, 10_000 + rate)
    } else {
        divide_rounding_half_up(total * rate, 10_000)
    }
}

/// Subtotal, discounts, shipping, tax and total. Tax is worked out per line on what the
/// line costs after its discounts; shipping is not taxed.
pub fn totals(
    lines: &[LineToPrice],
    shipping_minor: i64,
    shipping_discount_minor: i64,
    prices_include_tax: bool,
) -> Totals {
    let subtotal_minor: i64 = lines.iter().map(LineToPrice::total_minor).sum();
    let discount_minor =
        lines.iter().map(|l| l.discount_minor).sum::<i64>() + shipping_discount_minor;
    let tax_minor: i64 = lines.iter().map(|l| l.tax_minor(prices_include_tax)).sum();
    let total_minor = subtotal_minor - discount_minor
        + shipping_minor
        + if prices_include_tax { 0 } else { tax_minor };
    Totals {
        subtotal_minor,
        discount_minor,
        shipping_minor,
        tax_minor,
        total_minor,
        prices_include_tax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> ShippingMethod {
        ShippingMethod {
            code: "standard".into(),
            name: "Standard".into(),
            price_minor: 495,
            free_over_minor: Some(7500),
        }
    }

    #[test]
    fn shipping_is_flat_until_the_free_threshold() {
        assert_eq!(standard().price_for(7499), 495);
        assert_eq!(standard().price_for(7500), 0);
        let express = ShippingMethod {
            free_over_minor: None,
            ..standard()
        };
        assert_eq!(express.price_for(1_000_000), 495);
    }

    #[test]
    fn exclusive_tax_is_added_and_inclusive_tax_is_contained() {
        let lines = [
            LineToPrice {
                unit_price_minor: 1000,
                quantity: 2,
                tax_rate_bp: 825,
                discount_minor: 0,
            },
            LineToPrice {
                unit_price_minor: 1999,
                quantity: 1,
                tax_rate_bp: 0,
                discount_minor: 0,
            },
        ];
        let exclusive = totals(&lines, standard().price_for(3999), 0, false);
        assert_eq!(
            exclusive,
            Totals {
                subtotal_minor: 3999,
                discount_minor: 0,
                shipping_minor: 495,
                tax_minor: 165,
                total_minor: 4659,
                prices_include_tax: false
            }
        );
        let inclusive = totals(&lines, standard().price_for(3999), 0, true);
        // 2000 × 825 / 10825 = 152.42… → 152
        assert_eq!(
            inclusive,
            Totals {
                subtotal_minor: 3999,
                discount_minor: 0,
                shipping_minor: 495,
                tax_minor: 152,
                total_minor: 4494,
                prices_include_tax: true
            }
        );
    }

    #[test]
    fn tax_is_worked_out_on_what_a_line_costs_after_its_discount() {
        let line = LineToPrice {
            unit_price_minor: 5000,
            quantity: 2,
            tax_rate_bp: 1000,
            discount_minor: 2000,
        };
        let got = totals(&[line], 495, 495, false);
        // 100 − 20 = 80, tax 8, shipping 4.95 − 4.95.
        assert_eq!(
            (got.discount_minor, got.tax_minor, got.total_minor),
            (2495, 800, 8800)
        );
        let inclusive = totals(&[line], 0, 0, true);
        // 80 × 10 / 110 = 7.27… → 7.27
        assert_eq!((inclusive.tax_minor, inclusive.total_minor), (727, 8000));
    }

    #[test]
    fn tax_rounds_half_up_to_the_cent() {
        assert_eq!(line_tax(10, 500, false), 1, "0.5 cent rounds up");
        assert_eq!(line_tax(9, 500, false), 0, "0.45 cent rounds down");
        assert_eq!(
            line_tax(2100, 2000, true),
            350,
            "20 % VAT inside 21.00 is 3.50"
        );
        assert_eq!(
            line_tax(i64::MAX / 2, 10_000, false),
            i64::MAX / 2,
            "no overflow"
        );
    }
}
