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

/// Store-wide tax: whether catalog prices include it (for every zone: a shopper pays the
/// shelf price and the tax inside it follows their zone's rate).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxSettingsForm {
    /// A ticked checkbox sends "on".
    #[serde(default)]
    pub prices_include_tax: Option<String>,
}

/// A zone, new (`id` empty) or changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneForm {
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// "DE, AT, GB: IV KW": countries, each optionally narrowed to postal-code prefixes.
    #[serde(default)]
    pub areas: String,
    #[serde(default)]
    pub rest_of_world: Option<String>,
    #[serde(default)]
    pub shipping_taxable: Option<String>,
    #[serde(default)]
    pub position: String,
}

/// A zone's rate for each tax category, keyed by the category's id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRatesForm {
    pub zone_id: i64,
    #[serde(default)]
    pub rates: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxCategoryForm {
    pub name: String,
}

/// A product category's tax category; empty: its parent's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTaxForm {
    pub category_id: i64,
    #[serde(default)]
    pub tax_category_id: String,
}

/// A shipping method, new (`code` empty: made from the name) or changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethodForm {
    #[serde(default)]
    pub code: String,
    pub name: String,
    /// The zone it delivers to (its id).
    #[serde(default)]
    pub zone_id: String,
    /// `flat`, `order_value` or `weight`.
    #[serde(default)]
    pub basis: String,
    /// In the store currency's major unit, "4.95" (flat rate).
    #[serde(default)]
    pub price: String,
    /// One band per line, "from price": "0 4.95" / "2000 8.95" (grams) or "50 0" (value).
    #[serde(default)]
    pub bands: String,
    /// Free from this subtotal; empty for never.
    #[serde(default)]
    pub free_over: String,
    /// Where it is listed at checkout, lowest first.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub active: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethodRow {
    pub code: String,
    pub name: String,
    pub zone_id: i64,
    pub zone_name: String,
    pub basis: String,
    /// Major units as typed, "4.95".
    pub price: String,
    /// As the bands field takes them, one per line.
    pub bands: String,
    /// "4.95", "from 4.95 by weight": what the list shows.
    pub price_summary: String,
    pub free_over: String,
    pub position: i32,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRow {
    pub id: i64,
    pub name: String,
    /// As the areas field takes them.
    pub areas: String,
    pub rest_of_world: bool,
    pub shipping_taxable: bool,
    pub position: i32,
    /// The rate of each tax category here, in the order of `PricingSettings::tax_categories`.
    pub rates: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxCategoryRow {
    pub id: i64,
    pub name: String,
    pub is_default: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTaxRow {
    pub category_id: i64,
    /// With its parents, "Clothing › Tops".
    pub category: String,
    /// Its own tax category, if it has one.
    pub tax_category_id: Option<i64>,
}

/// Everything the shipping and tax page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingSettings {
    pub currency: String,
    pub prices_include_tax: bool,
    pub zones: Vec<ZoneRow>,
    pub methods: Vec<ShippingMethodRow>,
    pub tax_categories: Vec<TaxCategoryRow>,
    /// Every category, with its parents and its own tax category.
    pub categories: Vec<CategoryTaxRow>,
}

/// One area of a zone: a country, or the part of it whose postal codes start with `prefix`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ZoneArea {
    pub country: String,
    pub postal_prefix: String,
}

/// "DE, AT, GB: IV KW" → DE, AT, GB/IV, GB/KW. Countries are ISO codes of countries the
/// store knows; prefixes are letters and digits (spaces inside a postal code are ignored).
pub fn parse_areas(text: &str) -> Result<Vec<ZoneArea>, String> {
    let mut areas = Vec::new();
    for part in text.split([',', ';', '\n']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (country, prefixes) = part.split_once(':').unwrap_or((part, ""));
        let country = country.trim().to_ascii_uppercase();
        if crate::kernel::countries::country(&country).is_none() {
            return Err(format!(
                "“{}” is not a country code we know. Use two-letter codes such as DE, FR, US.",
                country.chars().take(20).collect::<String>()
            ));
        }
        let prefixes: Vec<&str> = prefixes.split_whitespace().collect();
        if prefixes.is_empty() {
            areas.push(ZoneArea {
                country: country.clone(),
                postal_prefix: String::new(),
            });
        }
        for prefix in prefixes {
            let prefix = prefix.to_ascii_uppercase();
            if prefix.is_empty()
                || prefix.len() > 10
                || !prefix.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(format!(
                    "Postal-code prefixes are up to 10 letters or digits, e.g. GB: IV KW (not “{}”).",
                    prefix.chars().take(20).collect::<String>()
                ));
            }
            areas.push(ZoneArea {
                country: country.clone(),
                postal_prefix: prefix,
            });
        }
    }
    if areas.len() > 1000 {
        return Err("A zone holds at most 1,000 areas.".to_owned());
    }
    areas.sort();
    areas.dedup();
    Ok(areas)
}

/// The areas as the field shows them: "AT, DE, GB: IV KW".
pub fn areas_text(areas: &[ZoneArea]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for area in areas {
        match parts.last_mut() {
            Some(last)
                if !area.postal_prefix.is_empty()
                    && last.starts_with(&format!("{}:", area.country)) =>
            {
                last.push(' ');
                last.push_str(&area.postal_prefix);
            }
            _ if area.postal_prefix.is_empty() => parts.push(area.country.clone()),
            _ => parts.push(format!("{}: {}", area.country, area.postal_prefix)),
        }
    }
    parts.join(", ")
}

/// Grams as people type them: "1500", "1500 g", "1.5 kg".
pub fn parse_grams(text: &str) -> Result<i64, String> {
    let problem =
        || "Enter a weight in grams (1500) or kilograms (1.5 kg), up to 1,000 kg.".to_owned();
    let text = text.trim().to_ascii_lowercase();
    let (number, factor) = if let Some(kg) = text.strip_suffix("kg") {
        (kg.trim(), 1000)
    } else {
        (text.strip_suffix('g').unwrap_or(&text).trim(), 1)
    };
    let (whole, fraction) = number.split_once(['.', ',']).unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 7
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 3
    {
        return Err(problem());
    }
    let whole: i64 = whole.parse().map_err(|_| problem())?;
    let fraction_grams: i64 = if factor == 1000 && !fraction.is_empty() {
        format!("{fraction:0<3}").parse().map_err(|_| problem())?
    } else if !fraction.is_empty() {
        return Err(problem());
    } else {
        0
    };
    let grams = whole * factor + fraction_grams;
    (grams <= 1_000_000).then_some(grams).ok_or_else(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn areas_are_read_as_countries_narrowed_by_postal_prefixes() {
        let areas = parse_areas("de, AT; gb: iv kw\nGB:HS, DE").unwrap();
        let shown: Vec<(&str, &str)> = areas
            .iter()
            .map(|a| (a.country.as_str(), a.postal_prefix.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("AT", ""),
                ("DE", ""),
                ("GB", "HS"),
                ("GB", "IV"),
                ("GB", "KW")
            ]
        );
        assert_eq!(areas_text(&areas), "AT, DE, GB: HS IV KW");
        assert_eq!(parse_areas("").unwrap(), []);
    }

    #[test]
    fn unknown_countries_and_odd_prefixes_are_refused_with_what_to_type() {
        for typed in ["XX", "Germany", "GB: IV-1", "GB: ABCDEFGHIJK", "D\u{0}E"] {
            assert!(parse_areas(typed).is_err(), "{typed:?}");
        }
    }

    #[test]
    fn weights_are_read_in_grams_or_kilograms() {
        for (typed, grams) in [
            ("1500", 1500),
            ("1500 g", 1500),
            ("1.5 kg", 1500),
            ("0,25kg", 250),
            ("0", 0),
            ("1000 kg", 1_000_000),
        ] {
            assert_eq!(parse_grams(typed), Ok(grams), "{typed}");
        }
        for typed in ["", "-1", "1.5", "1.2345 kg", "1001 kg", "abc", "1e3"] {
            assert!(parse_grams(typed).is_err(), "{typed:?}");
        }
    }
}
