//! Shipping methods and what they cost a parcel: a flat price, or bands by the order's
//! value or its weight, and free from a threshold. Pure, in integer minor units and grams.

use serde::{Deserialize, Serialize};

/// What a method's price depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateBasis {
    #[default]
    Flat,
    /// Bands by the order's value after discounts, in minor units.
    OrderValue,
    /// Bands by the parcel's weight in grams.
    Weight,
}

impl RateBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            RateBasis::Flat => "flat",
            RateBasis::OrderValue => "order_value",
            RateBasis::Weight => "weight",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "flat" => Some(RateBasis::Flat),
            "order_value" => Some(RateBasis::OrderValue),
            "weight" => Some(RateBasis::Weight),
            _ => None,
        }
    }
}

/// From `from` (minor units of value, or grams) up to the next band's `from`, the method
/// costs `price_minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateBand {
    pub from: i64,
    pub price_minor: i64,
}

/// A shipping method as configured, with the zone it delivers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethod {
    pub code: String,
    pub name: String,
    pub zone_id: i64,
    pub zone_name: String,
    pub basis: RateBasis,
    /// The flat price (`Flat`).
    pub price_minor: i64,
    /// Ascending by `from` (`OrderValue`, `Weight`).
    pub bands: Vec<RateBand>,
    pub free_over_minor: Option<i64>,
}

/// The band holding `measure`: the last one starting at or below it.
fn band_price(bands: &[RateBand], measure: i64) -> Option<i64> {
    bands
        .iter()
        .take_while(|band| band.from <= measure)
        .last()
        .map(|band| band.price_minor)
}

impl ShippingMethod {
    /// What the method costs a parcel of this weight, as the order's value changes (a
    /// promotion lowers it); `None`: the method does not take this parcel (lighter than
    /// its first weight band).
    pub fn price_for_weight(&self, weight_grams: i64) -> Option<ShippingPrice> {
        let by_value = match self.basis {
            RateBasis::Flat => vec![RateBand {
                from: 0,
                price_minor: self.price_minor,
            }],
            RateBasis::OrderValue => self.bands.clone(),
            RateBasis::Weight => vec![RateBand {
                from: 0,
                price_minor: band_price(&self.bands, weight_grams)?,
            }],
        };
        Some(ShippingPrice {
            by_value,
            free_over_minor: self.free_over_minor,
        })
    }

    /// The lowest price the method is offered at, for "from 4.95" on the settings page.
    pub fn lowest_price_minor(&self) -> i64 {
        match self.basis {
            RateBasis::Flat => self.price_minor,
            _ => self.bands.iter().map(|b| b.price_minor).min().unwrap_or(0),
        }
    }
}

/// A parcel's weight in grams from its lines' unit weights and quantities.
pub fn parcel_weight(lines: impl IntoIterator<Item = (i32, i32)>) -> i64 {
    lines
        .into_iter()
        .map(|(grams, quantity)| i64::from(grams) * i64::from(quantity))
        .sum()
}

/// A method's price for one parcel, by the order's value (its weight is already known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippingPrice {
    by_value: Vec<RateBand>,
    free_over_minor: Option<i64>,
}

impl ShippingPrice {
    pub fn flat(price_minor: i64, free_over_minor: Option<i64>) -> Self {
        Self {
            by_value: vec![RateBand {
                from: 0,
                price_minor,
            }],
            free_over_minor,
        }
    }

    /// The price for an order worth `subtotal_minor` after discounts; `None` below the
    /// first value band.
    pub fn for_subtotal(&self, subtotal_minor: i64) -> Option<i64> {
        match self.free_over_minor {
            Some(threshold) if subtotal_minor >= threshold => Some(0),
            _ => band_price(&self.by_value, subtotal_minor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(basis: RateBasis, bands: &[(i64, i64)], free_over: Option<i64>) -> ShippingMethod {
        ShippingMethod {
            code: "standard".into(),
            name: "Standard".into(),
            zone_id: 1,
            zone_name: "Domestic".into(),
            basis,
            price_minor: 495,
            bands: bands
                .iter()
                .map(|&(from, price_minor)| RateBand { from, price_minor })
                .collect(),
            free_over_minor: free_over,
        }
    }

    #[test]
    fn a_flat_rate_is_free_from_its_threshold() {
        let price = method(RateBasis::Flat, &[], Some(7500))
            .price_for_weight(99_999)
            .unwrap();
        assert_eq!(price.for_subtotal(7499), Some(495));
        assert_eq!(price.for_subtotal(7500), Some(0));
        let never_free = ShippingPrice::flat(1495, None);
        assert_eq!(never_free.for_subtotal(i64::MAX), Some(1495));
    }

    #[test]
    fn weight_bands_apply_from_their_lower_bound_up_to_the_next() {
        let by_weight = method(
            RateBasis::Weight,
            &[(0, 495), (2000, 895), (10_000, 1995)],
            None,
        );
        let at = |grams| {
            by_weight
                .price_for_weight(grams)
                .unwrap()
                .for_subtotal(1000)
        };
        assert_eq!(
            (at(0), at(1999), at(2000), at(9999), at(10_000), at(50_000)),
            (
                Some(495),
                Some(495),
                Some(895),
                Some(895),
                Some(1995),
                Some(1995)
            )
        );
    }

    #[test]
    fn a_parcel_below_the_first_weight_band_is_not_taken() {
        let freight = method(RateBasis::Weight, &[(30_000, 4900)], None);
        assert_eq!(freight.price_for_weight(29_999), None);
        assert!(freight.price_for_weight(30_000).is_some());
    }

    #[test]
    fn value_bands_follow_the_discounted_value_and_the_free_threshold_wins() {
        let by_value = method(
            RateBasis::OrderValue,
            &[(0, 995), (5000, 495)],
            Some(10_000),
        )
        .price_for_weight(0)
        .unwrap();
        assert_eq!(
            (
                by_value.for_subtotal(4999),
                by_value.for_subtotal(5000),
                by_value.for_subtotal(10_000)
            ),
            (Some(995), Some(495), Some(0))
        );
        let from_twenty = method(RateBasis::OrderValue, &[(2000, 495)], None)
            .price_for_weight(0)
            .unwrap();
        assert_eq!(from_twenty.for_subtotal(1999), None, "below the first band");
    }

    #[test]
    fn rate_bases_read_back_what_they_write() {
        for basis in [RateBasis::Flat, RateBasis::OrderValue, RateBasis::Weight] {
            assert_eq!(RateBasis::parse(basis.as_str()), Some(basis));
        }
        assert_eq!(RateBasis::parse("weight\0"), None);
    }
}
