//! Webhook endpoints and deliveries as the staff area shows them.

use serde::{Deserialize, Serialize};

/// A webhook endpoint as the staff area lists it (the secret is never sent back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpointRow {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub is_active: bool,
    /// The last attempt to deliver to it, "2026-11-30 12:00 UTC".
    pub last_attempt: Option<String>,
    /// Attempts in the last 7 days, and how many of them failed.
    pub attempts_7d: i64,
    pub failed_attempts_7d: i64,
    /// Deliveries that failed and wait for their next try.
    pub failing: i64,
}

/// One delivery attempt history line for the delivery log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub url: String,
    pub attempts: i32,
    /// "Delivered at …", "Failed: …, next try at …" or "Waiting".
    pub state: String,
    /// Failed so far: staff can have it tried again now.
    pub failing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksOverview {
    pub endpoints: Vec<WebhookEndpointRow>,
    pub deliveries: Vec<WebhookDeliveryRow>,
}

/// The form that registers an endpoint: one checkbox per event type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    pub url: String,
    pub secret: String,
    #[serde(default)]
    pub order_created: Option<String>,
    #[serde(default)]
    pub order_paid: Option<String>,
    #[serde(default)]
    pub order_fulfilled: Option<String>,
    #[serde(default)]
    pub order_refunded: Option<String>,
    #[serde(default)]
    pub order_cancelled: Option<String>,
    #[serde(default)]
    pub product_updated: Option<String>,
    #[serde(default)]
    pub stock_low: Option<String>,
}

impl WebhookForm {
    /// The event types whose box was ticked.
    pub fn events(&self) -> Vec<String> {
        [
            (&self.order_created, "order.created"),
            (&self.order_paid, "order.paid"),
            (&self.order_fulfilled, "order.fulfilled"),
            (&self.order_refunded, "order.refunded"),
            (&self.order_cancelled, "order.cancelled"),
            (&self.product_updated, "product.updated"),
            (&self.stock_low, "stock.low"),
        ]
        .into_iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, name)| name.to_owned())
        .collect()
    }
}
