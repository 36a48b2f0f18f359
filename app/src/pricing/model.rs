//! Shipping and tax as staff set them on `/admin/shipping-tax`: the forms, what the page
//! shows, and the tax rate as people type it.

use serde::{Deserialize, Serialize};

/// A tax rate: 0 to 100 % with at most two decimals, kept in basis points (825 = 8.25 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxRate(i32);

impl TaxRate {
    /// "8.25", "8,25 %", "20" → the rate; anything else → what to type instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        let problem = || "Enter a rate from 0 to 100 %, e.g. 8.25.".to_owned();
        let text = text.trim().trim_end_matches('%').trim().replace(',', ".");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 3
            || fraction.len() > 2
            || !digits(whole)
            || !digits(fraction)
        {
            return Err(problem());
        }
        let whole: i32 = whole.parse().map_err(|_| problem())?;
        let fraction: i32 = format!("{fraction:0<2}").parse().map_err(|_| problem())?;
        let basis_points = whole * 100 + fraction;
        Self::from_basis_points(basis_points).ok_or_else(problem)
    }

    pub fn from_basis_points(basis_points: i32) -> Option<Self> {
        (0..=10_000)
            .contains(&basis_points)
            .then_some(Self(basis_points))
    }

    pub fn basis_points(self) -> i32 {
        self.0
    }

    /// As a person reads it: 825 → "8.25", 2000 → "20", 550 → "5.5".
    pub fn percent_text(self) -> String {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }
}

/// Store-wide tax: whether catalog prices include it, and the rate where no category
/// names one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxSettingsForm {
    /// A ticked checkbox sends "on".
    #[serde(default)]
    pub prices_include_tax: Option<String>,
    pub default_rate: String,
}

/// A shipping method, new (`code` empty: made from the name) or changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethodForm {
    #[serde(default)]
    pub code: String,
    pub name: String,
    /// In the store currency's major unit, "4.95".
    pub price: String,
    /// Free from this subtotal; empty for never.
    #[serde(default)]
    pub free_over: String,
    /// Where it is listed at checkout, lowest first.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub active: Option<String>,
}

/// A category's own rate; an empty rate removes it (the category then takes its parent's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRateForm {
    pub category_id: i64,
    #[serde(default)]
    pub rate: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethodRow {
    pub code: String,
    pub name: String,
    /// Major units as typed, "4.95".
    pub price: String,
    pub free_over: String,
    pub position: i32,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRateRow {
    pub category_id: i64,
    /// With its parents, "Clothing › Tops".
    pub category: String,
    pub rate: String,
}

/// Everything the shipping and tax page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingSettings {
    pub currency: String,
    pub prices_include_tax: bool,
    pub default_rate: String,
    pub methods: Vec<ShippingMethodRow>,
    pub category_rates: Vec<CategoryRateRow>,
    /// Every category, with its parents, for choosing one.
    pub categories: Vec<(i64, String)>,
}

#[cfg(test)]
mod tests {
    use super::TaxRate;

    #[test]
    fn rates_are_read_as_people_type_them_and_kept_in_basis_points() {
        for (typed, basis_points) in [
            ("8.25", 825),
            ("8,25 %", 825),
            ("20", 2000),
            (" 5.5% ", 550),
            ("0", 0),
            ("100", 10_000),
        ] {
            assert_eq!(
                TaxRate::parse(typed).map(TaxRate::basis_points),
                Ok(basis_points),
                "{typed}"
            );
        }
    }

    #[test]
    fn rates_outside_0_to_100_or_with_three_decimals_or_letters_are_refused() {
        for typed in [
            "",
            "-1",
            "100.01",
            "8.125",
            "abc",
            "8.2.5",
            "1e2",
            "8\u{0}",
            "9999999999",
        ] {
            assert!(TaxRate::parse(typed).is_err(), "{typed:?}");
        }
    }

    #[test]
    fn rates_are_shown_without_needless_zeros() {
        let shown = |bp| TaxRate::from_basis_points(bp).unwrap().percent_text();
        assert_eq!(
            (shown(825), shown(2000), shown(550), shown(0)),
            ("8.25".into(), "20".into(), "5.5".into(), "0".into())
        );
        assert!(TaxRate::from_basis_points(10_001).is_none());
    }
}
