//! Money as integer minor units plus a currency: never a float.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code such as `USD`: exactly three ASCII capital letters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(code: &str) -> Result<Self, String> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(format!(
                "`{code}` is not a currency code (three capital letters, e.g. USD)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many digits the minor unit has (cents: 2; yen: 0).
    pub fn minor_digits(&self) -> u32 {
        match self.0.as_str() {
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
            _ => 2,
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        match self.0.as_str() {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CurrencyCode> for String {
    fn from(value: CurrencyCode) -> Self {
        value.0
    }
}

/// `minor` units of the currency named `currency`, as shoppers read it ("$12.50"); empty
/// when the code is not a currency (the database never stores one).
pub fn format_minor(minor: i64, currency: &str) -> String {
    CurrencyCode::parse(currency)
        .map(|c| Money::new(minor, c).to_string())
        .unwrap_or_default()
}

/// An amount in minor units (cents) of a currency.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor_units: i64,
    pub currency: CurrencyCode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("`{0}` is not an amount; use digits such as 25 or 19.99")]
    NotAnAmount(String),
    #[error("amounts cannot be negative")]
    Negative,
    #[error("`{0}` has more decimals than the currency allows")]
    TooPrecise(String),
    #[error("`{0}` is too large")]
    TooLarge(String),
}

/// The largest amount we accept from a person typing one: ten billion major units.
const MAX_MAJOR_UNITS: i64 = 10_000_000_000;

impl Money {
    pub fn new(minor_units: i64, currency: CurrencyCode) -> Self {
        Self {
            minor_units,
            currency,
        }
    }

    /// Parses an amount a person typed in major units ("19.99") into minor units.
    pub fn parse_major(text: &str, currency: &CurrencyCode) -> Result<Self, MoneyParseError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(MoneyParseError::Negative);
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(MoneyParseError::NotAnAmount(shorten(text)));
        }
        let digits = currency.minor_digits();
        if fraction.len() > digits as usize {
            return Err(MoneyParseError::TooPrecise(shorten(text)));
        }
        let too_large = || MoneyParseError::TooLarge(shorten(text));
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        if whole > MAX_MAJOR_UNITS {
            return Err(too_large());
        }
        let scale = 10_i64.pow(digits);
        let fraction_minor: i64 = if fraction.is_empty() {
            0
        } else {
            let padded = format!("{fraction:0<width$}", width = digits as usize);
            padded.parse().map_err(|_| too_large())?
        };
        Ok(Self::new(whole * scale + fraction_minor, currency.clone()))
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(20).collect()
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.currency.minor_digits();
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let abs = self.minor_units.unsigned_abs();
        let scale = 10_u64.pow(digits);
        let whole = group_thousands(abs / scale);
        let amount = if digits == 0 {
            whole
        } else {
            format!("{whole}.{:0width$}", abs % scale, width = digits as usize)
        };
        match self.currency.symbol() {
            Some(symbol) => write!(f, "{sign}{symbol}{amount}"),
            None => write!(f, "{sign}{amount} {}", self.currency.as_str()),
        }
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// The catalog's currency until store settings arrive.
pub const STORE_CURRENCY: &str = "USD";

pub fn store_currency() -> CurrencyCode {
    CurrencyCode::parse(STORE_CURRENCY).unwrap_or_else(|_| unreachable!("constant is valid"))
}

/// `1999` → `"19.99"`: the form a person would type.
pub fn major_units_text(minor: i64, currency: &CurrencyCode) -> String {
    let digits = currency.minor_digits();
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> CurrencyCode {
        CurrencyCode::parse("USD").unwrap()
    }

    #[test]
    fn formats_minor_units_with_symbol_and_grouping() {
        assert_eq!(Money::new(12_345_678, usd()).to_string(), "$123,456.78");
        assert_eq!(Money::new(5, usd()).to_string(), "$0.05");
        let chf = CurrencyCode::parse("CHF").unwrap();
        assert_eq!(Money::new(1000, chf).to_string(), "10.00 CHF");
        let yen = CurrencyCode::parse("JPY").unwrap();
        assert_eq!(Money::new(1500, yen).to_string(), "¥1,500");
    }

    #[test]
    fn parses_typed_amounts_into_minor_units() {
        assert_eq!(
            Money::parse_major("19.99", &usd()).unwrap().minor_units,
            1999
        );
        assert_eq!(
            Money::parse_major("19.9", &usd()).unwrap().minor_units,
            1990
        );
        assert_eq!(
            Money::parse_major(" 20 ", &usd()).unwrap().minor_units,
            2000
        );
    }

    #[test]
    fn rejects_amounts_that_are_not_money() {
        assert!(matches!(
            Money::parse_major("xyz", &usd()),
            Err(MoneyParseError::NotAnAmount(_))
        ));
        assert!(matches!(
            Money::parse_major("-5", &usd()),
            Err(MoneyParseError::Negative)
        ));
        assert!(matches!(
            Money::parse_major("1.234", &usd()),
            Err(MoneyParseError::TooPrecise(_))
        ));
        assert!(matches!(
            Money::parse_major("99999999999999999999", &usd()),
            Err(MoneyParseError::TooLarge(_))
        ));
        assert!(matches!(
            Money::parse_major("", &usd()),
            Err(MoneyParseError::NotAnAmount(_))
        ));
        assert!(matches!(
            Money::parse_major("1e5", &usd()),
            Err(MoneyParseError::NotAnAmount(_))
        ));
    }

    #[test]
    fn currency_codes_are_three_capital_letters() {
        assert!(CurrencyCode::parse("usd").is_err());
        assert!(CurrencyCode::parse("USDT").is_err());
        assert!(CurrencyCode::parse("EUR").is_ok());
    }
}
