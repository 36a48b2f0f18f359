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
}

/// A key just made: the only time its full text exists outside the caller's hands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub id: i64,
    pub prefix: String,
    pub key: String,
}
