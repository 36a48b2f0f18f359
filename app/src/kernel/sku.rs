//! SKUs: the stock-keeping codes staff give variants (`LINEN-SHIRT-M-NAVY`). A [`Sku`]
//! that exists is valid; the editor and the CSV import parse every SKU into one.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_SKU_CHARS: usize = 64;

/// Letters, digits and hyphens, upper case, starting with a letter or digit, at most 64.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// The SKU as typed, trimmed and upper-cased (SKUs are compared without case).
    pub fn parse(text: &str) -> Result<Sku, SkuError> {
        let sku = text.trim().to_uppercase();
        let valid = !sku.is_empty()
            && sku.len() <= MAX_SKU_CHARS
            && sku.starts_with(|c: char| c.is_ascii_alphanumeric())
            && sku.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if valid {
            Ok(Sku(sku))
        } else {
            Err(SkuError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkuError;

impl fmt::Display for SkuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Use letters, digits and hyphens, up to 64, starting with a letter or digit.")
    }
}

impl std::error::Error for SkuError {}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Sku {
    type Error = SkuError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Sku::parse(&text)
    }
}

impl From<Sku> for String {
    fn from(sku: Sku) -> String {
        sku.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_is_trimmed_and_upper_cased() {
        assert_eq!(Sku::parse("  linen-m ").unwrap().as_str(), "LINEN-M");
    }

    #[test]
    fn a_sku_outside_the_rule_is_refused() {
        for bad in ["", "-LINEN", "LINEN M", "LINEN_M", "ÜBER"] {
            assert_eq!(Sku::parse(bad), Err(SkuError), "{bad:?}");
        }
        assert!(Sku::parse(&"A".repeat(MAX_SKU_CHARS + 1)).is_err());
        assert!(Sku::parse(&"A".repeat(MAX_SKU_CHARS)).is_ok());
    }
}
