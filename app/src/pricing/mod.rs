//! Shipping and tax arithmetic, in integer minor units, shared by the checkout summary
//! and the order placement so both always agree to the cent.

pub mod model;
#[cfg(feature = "ssr")]
pub mod rates;
#[cfg(feature = "ssr")]
pub mod settings;

use serde::{Deserialize, Serialize};

pub mod shipping;

pub use shipping::{RateBand, RateBasis, ShippingMethod, ShippingPrice};

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

/// What the shipping costs and how it is taxed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShippingToPrice {
    /// The method's price, before a free-shipping promotion.
    pub price_minor: i64,
    pub discount_minor: i64,
    /// 0 where the zone does not tax shipping.
    pub tax_rate_bp: i32,
}

/// Subtotal, discounts, shipping, tax and total. Tax is worked out per line on what the
/// line costs after its discounts, and on the shipping after its discount where the zone
/// taxes shipping, each rounded half up to the minor unit.
pub fn totals(
    lines: &[LineToPrice],
    shipping: ShippingToPrice,
    prices_include_tax: bool,
) -> Totals {
    let shipping_minor = shipping.price_minor;
    let shipping_discount_minor = shipping.discount_minor.min(shipping_minor);
    let subtotal_minor: i64 = lines.iter().map(LineToPrice::total_minor).sum();
    let discount_minor =
        lines.iter().map(|l| l.discount_minor).sum::<i64>() + shipping_discount_minor;
    let shipping_tax_minor = line_tax(
        shipping_minor - shipping_discount_minor,
        shipping.tax_rate_bp,
        prices_include_tax,
    );
    let tax_minor: i64 = lines
        .iter()
        .map(|l| l.tax_minor(prices_include_tax))
        .sum::<i64>()
        + shipping_tax_minor;
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

    fn shipping(price_minor: i64, discount_minor: i64, tax_rate_bp: i32) -> ShippingToPrice {
        ShippingToPrice {
            price_minor,
            discount_minor,
            tax_rate_bp,
        }
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
        let exclusive = totals(&lines, shipping(495, 0, 0), false);
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
        let inclusive = totals(&lines, shipping(495, 0, 0), true);
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
        let got = totals(&[line], shipping(495, 495, 0), false);
        // 100 − 20 = 80, tax 8, shipping 4.95 − 4.95.
        assert_eq!(
            (got.discount_minor, got.tax_minor, got.total_minor),
            (2495, 800, 8800)
        );
        let inclusive = totals(&[line], shipping(0, 0, 0), true);
        // 80 × 10 / 110 = 7.27… → 7.27
        assert_eq!((inclusive.tax_minor, inclusive.total_minor), (727, 8000));
    }

    #[test]
    fn a_zone_that_taxes_shipping_taxes_what_the_shipping_costs_after_its_discount() {
        let line = LineToPrice {
            unit_price_minor: 1000,
            quantity: 1,
            tax_rate_bp: 2000,
            discount_minor: 0,
        };
        // Exclusive: 10.00 + 20 % and 4.95 + 20 % (0.99): tax 2.99, total 17.94.
        let exclusive = totals(&[line], shipping(495, 0, 2000), false);
        assert_eq!((exclusive.tax_minor, exclusive.total_minor), (299, 1794));
        // Inclusive: 4.95 holds 4.95 × 20 / 120 = 0.825 → 0.83; 10.00 holds 1.67.
        let inclusive = totals(&[line], shipping(495, 0, 2000), true);
        assert_eq!((inclusive.tax_minor, inclusive.total_minor), (250, 1495));
        // Free shipping by promotion: no tax on it.
        let free = totals(&[line], shipping(495, 495, 2000), false);
        assert_eq!((free.tax_minor, free.total_minor), (200, 1200));
    }

    #[test]
    fn the_same_gross_price_holds_different_tax_in_zones_with_different_rates() {
        // Prices include tax for the shopper's country: 119.00 in Germany (19 %) and in
        // France (20 %) is what the shopper pays; the tax inside differs.
        let line = |rate| LineToPrice {
            unit_price_minor: 11_900,
            quantity: 1,
            tax_rate_bp: rate,
            discount_minor: 0,
        };
        let germany = totals(&[line(1900)], shipping(0, 0, 0), true);
        let france = totals(&[line(2000)], shipping(0, 0, 0), true);
        assert_eq!((germany.total_minor, france.total_minor), (11_900, 11_900));
        // 11900 × 19 / 119 = 19.00; 11900 × 20 / 120 = 19.8333… → 19.83.
        assert_eq!((germany.tax_minor, france.tax_minor), (1900, 1983));
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
