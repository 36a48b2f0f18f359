//! Order types shared by the server and the browser.

use crate::kernel::address::ShippingAddress;
use crate::pricing::Totals;
use serde::{Deserialize, Serialize};

/// Where an order is in its life. The allowed moves are listed in one place,
/// [`OrderStatus::can_become`], and enforced by `orders::status::transition_order`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "order_status", rename_all = "snake_case")
)]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Fulfilled,
    Completed,
    Cancelled,
    Refunded,
}

/// Why an order's payment needs staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentAttention {
    /// The card was authorized but capturing it after the order was stored failed: staff
    /// retry the capture or cancel (which voids the authorization and restocks).
    CaptureFailed,
    /// The provider reported a failed payment for this order.
    PaymentFailed,
    /// The shopper disputed the charge with their bank.
    Disputed,
}

impl PaymentAttention {
    pub const ALL: [PaymentAttention; 3] = [
        PaymentAttention::CaptureFailed,
        PaymentAttention::PaymentFailed,
        PaymentAttention::Disputed,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentAttention::CaptureFailed => "capture_failed",
            PaymentAttention::PaymentFailed => "payment_failed",
            PaymentAttention::Disputed => "disputed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// What staff read.
    pub fn label(self) -> &'static str {
        match self {
            PaymentAttention::CaptureFailed => "Card capture failed",
            PaymentAttention::PaymentFailed => "Payment failed",
            PaymentAttention::Disputed => "Payment disputed",
        }
    }
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Fulfilled,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    /// pending_payment → paid → fulfilled → completed; cancelled before fulfilment;
    /// refunded once paid.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid)
                | (PendingPayment, Cancelled)
                | (Paid, Fulfilled)
                | (Paid, Cancelled)
                | (Paid, Refunded)
                | (Fulfilled, Completed)
                | (Fulfilled, Refunded)
                | (Completed, Refunded)
        )
    }

    /// Whether moving into this status puts the ordered units back in stock.
    pub fn returns_stock(self) -> bool {
        self == OrderStatus::Cancelled
    }

    /// The name stored in the database and sent to webhooks.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// The webhook event that moving into this status sends, if any.
    pub fn webhook_event(self) -> Option<&'static str> {
        match self {
            OrderStatus::Paid => Some("order.paid"),
            OrderStatus::Fulfilled => Some("order.fulfilled"),
            OrderStatus::Refunded => Some("order.refunded"),
            OrderStatus::Cancelled => Some("order.cancelled"),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "Awaiting payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Fulfilled => "Shipped",
            OrderStatus::Completed => "Completed",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Refunded => "Refunded",
        }
    }
}

/// What webhook receivers get about a new order: its number, status and amounts (no
/// personal data; the receiver asks the store for more with its own credentials).
#[cfg(feature = "ssr")]
pub fn order_event(
    number: &str,
    status: OrderStatus,
    currency: &crate::kernel::money::CurrencyCode,
    totals: &crate::pricing::Totals,
) -> serde_json::Value {
    serde_json::json!({
        "number": number,
        "status": status.as_str(),
        "currency": currency.as_str(),
        "subtotal_minor": totals.subtotal_minor,
        "discount_minor": totals.discount_minor,
        "shipping_minor": totals.shipping_minor,
        "tax_minor": totals.tax_minor,
        "total_minor": totals.total_minor,
        "prices_include_tax": totals.prices_include_tax,
    })
}

/// What the shopper sees after placing an order, and when looking it up again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReceipt {
    pub number: String,
    pub status_label: String,
    pub email: String,
    pub placed_at: String,
    pub lines: Vec<ReceiptLine>,
    pub currency: String,
    pub totals: Totals,
    /// Each promotion the order got, by name.
    pub discounts: Vec<crate::promotions::model::DiscountLine>,
    pub shipping_method: String,
    pub address: ShippingAddress,
    pub payment: String,
    pub history: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub product_name: String,
    pub option_values: Vec<String>,
    pub sku: String,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
    /// What promotions took off this line.
    pub discount_minor: i64,
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::{self, *};

    #[test]
    fn the_happy_path_runs_from_pending_payment_to_completed() {
        assert!(PendingPayment.can_become(Paid));
        assert!(Paid.can_become(Fulfilled));
        assert!(Fulfilled.can_become(Completed));
    }

    #[test]
    fn finished_orders_cannot_move_on_and_nothing_skips_payment() {
        for next in OrderStatus::ALL {
            assert!(!Cancelled.can_become(next), "cancelled → {next:?}");
            assert!(!Refunded.can_become(next), "refunded → {next:?}");
            assert!(!next.can_become(next), "{next:?} → itself");
        }
        assert!(!PendingPayment.can_become(Fulfilled));
        assert!(
            !PendingPayment.can_become(Refunded),
            "nothing was paid, so nothing to refund"
        );
        assert!(
            !Fulfilled.can_become(Cancelled),
            "shipped goods are refunded, not cancelled"
        );
    }
}
