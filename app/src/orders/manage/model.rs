//! Staff order types shared by the server and the browser.

use crate::orders::model::OrderReceipt;
use crate::orders::model::{OrderStatus, PaymentAttention};
use serde::{Deserialize, Serialize};

/// What the order list filters by; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilter {
    /// An [`OrderStatus::as_str`] value.
    #[serde(default)]
    pub status: String,
    /// First and last day placed, `YYYY-MM-DD` (UTC), both included.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Part of the customer's email or name, or an order number.
    #[serde(default)]
    pub customer: String,
    /// Totals in major units ("25", "19.99").
    #[serde(default)]
    pub min_total: String,
    #[serde(default)]
    pub max_total: String,
    /// "yes": only orders whose payment needs staff (failed capture, dispute).
    #[serde(default)]
    pub attention: String,
    /// Only orders older than this one (by id): the next page.
    #[serde(default)]
    pub before_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub number: String,
    pub placed_at: String,
    pub email: String,
    pub name: String,
    pub status: OrderStatus,
    pub total: String,
    pub refunded: Option<String>,
    pub attention: Option<PaymentAttention>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderList {
    pub rows: Vec<OrderRow>,
    pub next_before_id: Option<i64>,
}

/// One line of an order's timeline: a status change or a refund, with its time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    pub title: String,
    pub detail: String,
}

/// An order as staff see it: the shopper's receipt plus what staff need to act on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOrder {
    pub id: i64,
    pub status: OrderStatus,
    pub receipt: OrderReceipt,
    pub refunded_minor: i64,
    /// What can still be refunded, in major units for the refund form ("12.50").
    pub refundable: String,
    pub refundable_minor: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// `manual`, `test-card` or `stripe`.
    pub payment_provider: String,
    /// Why the payment needs staff, and what the provider said.
    pub attention: Option<PaymentAttention>,
    pub attention_detail: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// A fresh key for the next adjustment or refund form: a double submit of one form
    /// sends the same key and is applied once.
    pub request_key: String,
}

impl StaffOrder {
    pub fn can(&self, next: OrderStatus) -> bool {
        self.status.can_become(next)
    }

    /// Staff mark paid only what is paid outside the store (bank transfer, cash); a card
    /// payment becomes paid by its capture.
    pub fn can_mark_paid(&self) -> bool {
        self.can(OrderStatus::Paid) && self.payment_provider == "manual"
    }

    /// A card payment authorized but not captured when the order was placed.
    pub fn can_retry_capture(&self) -> bool {
        self.status == OrderStatus::PendingPayment
            && self.attention == Some(PaymentAttention::CaptureFailed)
    }

    /// Refunds are possible once paid and until the whole total is refunded.
    pub fn can_refund(&self) -> bool {
        self.refundable_minor > 0
            && matches!(
                self.status,
                OrderStatus::Paid | OrderStatus::Fulfilled | OrderStatus::Completed
            )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilForm {
    pub order_id: i64,
    pub carrier: String,
    pub tracking_number: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundForm {
    pub order_id: i64,
    /// Major units ("12.50").
    pub amount: String,
    pub reason: String,
    /// Issued with the form, so a double click or a retry refunds once.
    pub request_key: String,
}
