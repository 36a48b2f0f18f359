//! Audit-log types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// One change, as the audit page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// "2026-11-21 14:03:07 UTC".
    pub at: String,
    pub actor_email: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The values before and after, as JSON text ("" when there were none).
    pub before: String,
    pub after: String,
    pub client_address: String,
}

/// What the audit page filters by; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Entity type: product, variant, order, customer, staff, settings, webhook, category.
    #[serde(default)]
    pub entity_type: String,
    /// Entity id, e.g. a product id or an order number.
    #[serde(default)]
    pub entity_id: String,
    /// Part of the actor's email.
    #[serde(default)]
    pub actor: String,
    /// Only entries with an id below this (the next page).
    #[serde(default)]
    pub before_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The `before_id` of the next page, when there is one.
    pub next_before_id: Option<i64>,
}

pub const AUDIT_ENTITY_TYPES: [&str; 8] = [
    "product", "variant", "category", "order", "customer", "staff", "settings", "webhook",
];
