//! `stoa payments reconcile`: every card order placed since a date, compared with what
//! Stripe says happened to its payment. The store's own guards should make this list
//! empty; a difference means money and records disagree (a capture that was never
//! recorded, an order marked paid whose payment was not captured, refunds that do not add
//! up) and a person must look at it.

use super::stripe::{StripeClient, StripeFailure};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;
use std::fmt;

/// What the store recorded about one card order's payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedPayment {
    pub order_number: String,
    /// `pending_payment`, `paid`, `fulfilled`, `completed`, `cancelled` or `refunded`.
    pub status: String,
    pub reference: String,
    pub total_minor: i64,
    pub refunded_minor: i64,
}

/// What the provider says happened to that payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderPayment {
    /// The provider has no payment with that reference.
    Missing,
    Found {
        /// Stripe's PaymentIntent status: `requires_capture`, `succeeded`, `canceled`, …
        status: String,
        /// What was captured, in minor units (0 until captured).
        captured_minor: i64,
        /// The sum of its refunds that succeeded or are pending.
        refunded_minor: i64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DifferenceKind {
    /// The provider captured money the store does not count as paid.
    CapturedNotRecorded,
    /// The store counts the order as paid; the provider has not captured it.
    RecordedNotCaptured,
    /// Captured, but not the order's total.
    AmountMismatch,
    /// The refunds recorded on the order and at the provider do not add up the same.
    RefundMismatch,
    /// The order's payment reference is unknown to the provider.
    UnknownAtProvider,
}

impl DifferenceKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::CapturedNotRecorded => "captured but not recorded",
            Self::RecordedNotCaptured => "recorded but not captured",
            Self::AmountMismatch => "captured amount differs",
            Self::RefundMismatch => "refunds differ",
            Self::UnknownAtProvider => "unknown at the provider",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub order_number: String,
    pub reference: String,
    pub kind: DifferenceKind,
    pub detail: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}  {}  {}: {}",
            self.order_number,
            self.reference,
            self.kind.label(),
            self.detail
        )
    }
}

/// The differences between one order and its payment at the provider (none when they
/// agree).
pub fn compare(recorded: &RecordedPayment, provider: &ProviderPayment) -> Vec<Difference> {
    let difference = |kind, detail: String| Difference {
        order_number: recorded.order_number.clone(),
        reference: recorded.reference.clone(),
        kind,
        detail,
    };
    let (status, captured, provider_refunded) = match provider {
        ProviderPayment::Missing => {
            return vec![difference(
                DifferenceKind::UnknownAtProvider,
                format!("the order is {}", recorded.status),
            )]
        }
        ProviderPayment::Found {
            status,
            captured_minor,
            refunded_minor,
        } => (status.as_str(), *captured_minor, *refunded_minor),
    };
    let is_captured = status == "succeeded";
    let mut found = Vec::new();
    match recorded.status.as_str() {
        "pending_payment" if is_captured => found.push(difference(
            DifferenceKind::CapturedNotRecorded,
            format!("Stripe captured {captured}; the order still waits for payment"),
        )),
        "paid" | "fulfilled" | "completed" | "refunded" if !is_captured => found.push(difference(
            DifferenceKind::RecordedNotCaptured,
            format!("the order is {}; Stripe's payment is {status}", recorded.status),
        )),
        "cancelled" if is_captured && provider_refunded < captured => found.push(difference(
            DifferenceKind::CapturedNotRecorded,
            format!(
                "the order is cancelled; Stripe captured {captured} and refunded {provider_refunded}"
            ),
        )),
        _ => {}
    }
    if is_captured && captured != recorded.total_minor {
        found.push(difference(
            DifferenceKind::AmountMismatch,
            format!("order total {}, captured {captured}", recorded.total_minor),
        ));
    }
    if provider_refunded != recorded.refunded_minor {
        found.push(difference(
            DifferenceKind::RefundMismatch,
            format!(
                "refunded {} in the store, {provider_refunded} at Stripe",
                recorded.refunded_minor
            ),
        ));
    }
    found
}

/// What a reconciliation looked at and found.
#[derive(Debug, Default)]
pub struct Reconciliation {
    pub orders_checked: usize,
    pub differences: Vec<Difference>,
}

/// Compares every Stripe order placed since `since` with Stripe. Fails (without a partial
/// verdict) when Stripe cannot be read.
pub async fn reconcile(
    pool: &PgPool,
    stripe: &StripeClient,
    since: DateTime<Utc>,
) -> Result<Reconciliation, String> {
    let orders: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT number, status::text, payment_reference, total_minor, refunded_minor \
         FROM orders \
         WHERE payment_provider = 'stripe' AND payment_reference IS NOT NULL AND placed_at >= $1 \
         ORDER BY placed_at, id",
    )
    .bind(since)
    .fetch_all(pool)
    .await
    .map_err(|e| format!("reading orders: {e}"))?;
    let mut report = Reconciliation::default();
    for (order_number, status, reference, total_minor, refunded_minor) in orders {
        let recorded = RecordedPayment {
            order_number,
            status,
            reference,
            total_minor,
            refunded_minor,
        };
        let provider = provider_payment(stripe, &recorded.reference)
            .await
            .map_err(|failure| {
                format!(
                    "reading payment {} of order {} from Stripe: {failure:?}",
                    recorded.reference, recorded.order_number
                )
            })?;
        report.differences.extend(compare(&recorded, &provider));
        report.orders_checked += 1;
    }
    Ok(report)
}

async fn provider_payment(
    stripe: &StripeClient,
    reference: &str,
) -> Result<ProviderPayment, StripeFailure> {
    let intent = match stripe.payment_intent(reference).await {
        Ok(intent) => intent,
        Err(StripeFailure::Missing(_)) => return Ok(ProviderPayment::Missing),
        Err(other) => return Err(other),
    };
    let status = intent
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_owned();
    let captured_minor = if status == "succeeded" {
        // `amount_received` is Stripe's; a server without it captured the whole amount.
        intent
            .get("amount_received")
            .or_else(|| intent.get("amount"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    } else {
        0
    };
    let refunded_minor = if status == "succeeded" {
        stripe
            .refunds_of(reference)
            .await?
            .iter()
            .map(|(_, amount, _)| amount)
            .sum()
    } else {
        0
    };
    Ok(ProviderPayment::Found {
        status,
        captured_minor,
        refunded_minor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str, total: i64, refunded: i64) -> RecordedPayment {
        RecordedPayment {
            order_number: "ST-10001".to_owned(),
            status: status.to_owned(),
            reference: "pi_1".to_owned(),
            total_minor: total,
            refunded_minor: refunded,
        }
    }

    fn at_stripe(status: &str, captured: i64, refunded: i64) -> ProviderPayment {
        ProviderPayment::Found {
            status: status.to_owned(),
            captured_minor: captured,
            refunded_minor: refunded,
        }
    }

    fn kinds(recorded: RecordedPayment, provider: ProviderPayment) -> Vec<DifferenceKind> {
        compare(&recorded, &provider)
            .into_iter()
            .map(|d| d.kind)
            .collect()
    }

    #[test]
    fn agreeing_states_report_nothing() {
        assert!(kinds(order("paid", 5000, 0), at_stripe("succeeded", 5000, 0)).is_empty());
        assert!(kinds(
            order("pending_payment", 5000, 0),
            at_stripe("requires_capture", 0, 0)
        )
        .is_empty());
        assert!(kinds(order("cancelled", 5000, 0), at_stripe("canceled", 0, 0)).is_empty());
        assert!(kinds(
            order("cancelled", 5000, 5000),
            at_stripe("succeeded", 5000, 5000)
        )
        .is_empty());
        assert!(kinds(
            order("fulfilled", 5000, 1200),
            at_stripe("succeeded", 5000, 1200)
        )
        .is_empty());
    }

    #[test]
    fn a_capture_the_store_did_not_record_is_reported() {
        assert_eq!(
            kinds(
                order("pending_payment", 5000, 0),
                at_stripe("succeeded", 5000, 0)
            ),
            vec![DifferenceKind::CapturedNotRecorded]
        );
        assert_eq!(
            kinds(order("cancelled", 5000, 0), at_stripe("succeeded", 5000, 0)),
            vec![DifferenceKind::CapturedNotRecorded]
        );
    }

    #[test]
    fn a_paid_order_without_a_capture_is_reported() {
        assert_eq!(
            kinds(order("paid", 5000, 0), at_stripe("requires_capture", 0, 0)),
            vec![DifferenceKind::RecordedNotCaptured]
        );
    }

    #[test]
    fn amounts_and_refunds_that_differ_are_reported() {
        assert_eq!(
            kinds(order("paid", 5000, 0), at_stripe("succeeded", 4000, 0)),
            vec![DifferenceKind::AmountMismatch]
        );
        assert_eq!(
            kinds(
                order("paid", 5000, 1000),
                at_stripe("succeeded", 5000, 2500)
            ),
            vec![DifferenceKind::RefundMismatch]
        );
    }

    #[test]
    fn a_reference_the_provider_does_not_know_is_reported() {
        let found = compare(&order("paid", 5000, 0), &ProviderPayment::Missing);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, DifferenceKind::UnknownAtProvider);
        assert!(found[0].to_string().contains("ST-10001"));
    }
}
