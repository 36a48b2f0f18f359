//! Integration API keys as the staff area shows them.

use serde::{Deserialize, Serialize};

/// What a key may do. Each API endpoint names the one scope it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    CatalogRead,
    CatalogWrite,
    StockWrite,
    OrdersRead,
    OrdersWrite,
    CustomersRead,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::CatalogRead,
        Scope::CatalogWrite,
        Scope::StockWrite,
        Scope::OrdersRead,
        Scope::OrdersWrite,
        Scope::CustomersRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CatalogRead => "catalog:read",
            Scope::CatalogWrite => "catalog:write",
            Scope::StockWrite => "stock:write",
            Scope::OrdersRead => "orders:read",
            Scope::OrdersWrite => "orders:write",
            Scope::CustomersRead => "customers:read",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// What the scope allows, for the staff page.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::CatalogRead => "read products, variants and prices",
            Scope::CatalogWrite => "create and update products, publish and unpublish",
            Scope::StockWrite => "set and adjust stock",
            Scope::OrdersRead => "read orders with lines, addresses and payments",
            Scope::OrdersWrite => "mark orders fulfilled, cancel, refund",
            Scope::CustomersRead => "read customer accounts",
        }
    }

    /// Scopes from `a,b c` (commas or spaces); names an unknown one.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for word in text.split([',', ' ']).filter(|w| !w.trim().is_empty()) {
            let scope = Scope::parse(word).ok_or_else(|| {
                format!(
                    "`{}` is not a scope; choose from {}",
                    word.trim(),
                    Scope::ALL.map(Scope::as_str).join(", ")
                )
            })?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err("Give the key at least one scope.".to_owned());
        }
        Ok(scopes)
    }
}

/// A key in the staff area's list (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// `stoa_1a2b3c4d`: how people recognise the key.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    /// Revoked or expired: it no longer works.
    pub usable: bool,
    pub last_used_at: Option<String>,
    pub last_used_address: Option<String>,
    /// Requests in the last 7 days, and how many of them were answered 4xx or 5xx.
    pub requests_7d: i64,
    pub errors_7d: i64,
}

impl ApiKeyRow {
    /// "120 requests, 3 % errors", for the last 7 days.
    pub fn use_in_last_week(&self) -> String {
        match self.requests_7d {
            0 => "no requests".to_owned(),
            requests => format!(
                "{requests} request{}, {} errors",
                if requests == 1 { "" } else { "s" },
                share(self.errors_7d, requests)
            ),
        }
    }
}

/// `part` of `whole` as a percentage people read: "0 %", "<1 %", "12 %".
pub fn share(part: i64, whole: i64) -> String {
    if whole <= 0 || part <= 0 {
        return "0 %".to_owned();
    }
    let percent = part.saturating_mul(100) / whole;
    if percent == 0 {
        "<1 %".to_owned()
    } else {
        format!("{percent} %")
    }
}

/// A key just made: the only time its full text exists outside the caller's hands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub id: i64,
    pub prefix: String,
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_round_down_and_a_small_nonzero_share_is_not_shown_as_zero() {
        assert_eq!(share(0, 0), "0 %");
        assert_eq!(share(0, 50), "0 %");
        assert_eq!(share(1, 1000), "<1 %");
        assert_eq!(share(3, 120), "2 %");
        assert_eq!(share(120, 120), "100 %");
    }
}
