//! Events the payment provider sends about payments (Stripe's webhooks), applied to the
//! orders they concern. Each event is applied once: its id is stored in the same
//! transaction as its effects, so a redelivery finds it and changes nothing. Events about
//! payments the store does not know are recorded and acknowledged.

use crate::kernel::error::AppError;
use crate::orders::manage::{book_refund_in, flag_payment_attention_in, RefundToBook};
use crate::orders::model::{OrderStatus, PaymentAttention};
use crate::orders::status::transition_order_in;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What an event says, in the store's terms; the provider's adapter reads its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderEvent {
    /// The payment was captured (by the store, or in the provider's dashboard).
    PaymentSucceeded { payment_reference: String },
    PaymentFailed {
        payment_reference: String,
        message: String,
    },
    /// The payment's refunds as the provider now has them, each with its id and amount.
    Refunded {
        payment_reference: String,
        refunds: Vec<(String, i64)>,
    },
    DisputeOpened {
        payment_reference: String,
        reason: String,
    },
    /// A kind of event the store does not act on.
    Other,
}

impl ProviderEvent {
    fn payment_reference(&self) -> Option<&str> {
        match self {
            ProviderEvent::PaymentSucceeded { payment_reference }
            | ProviderEvent::PaymentFailed {
                payment_reference, ..
            }
            | ProviderEvent::Refunded {
                payment_reference, ..
            }
            | ProviderEvent::DisputeOpened {
                payment_reference, ..
            } => Some(payment_reference),
            ProviderEvent::Other => None,
        }
    }
}

/// What applying an event did; stored with the event and answered in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventOutcome {
    /// Seen before: nothing changed.
    Duplicate,
    /// About a payment no order has (another system's, or a deleted test order).
    UnknownPayment,
    Ignored,
    /// Changed the order: what it did.
    Applied(&'static str),
}

impl EventOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            EventOutcome::Duplicate => "duplicate",
            EventOutcome::UnknownPayment => "unknown_payment",
            EventOutcome::Ignored => "ignored",
            EventOutcome::Applied(what) => what,
        }
    }
}

/// The event as received: who sent it, its id and type, and what it says.
pub struct ReceivedEvent<'a> {
    pub provider: &'a str,
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub event: ProviderEvent,
}

/// Applies the event once; see the module documentation.
pub async fn apply_provider_event(
    pool: &PgPool,
    received: &ReceivedEvent<'_>,
    public_url: &str,
) -> Result<EventOutcome, AppError> {
    let mut tx = pool.begin().await?;
    let first_time = sqlx::query(
        "INSERT INTO payment_events (provider, event_id, event_type, outcome)
         VALUES ($1, $2, $3, 'received') ON CONFLICT DO NOTHING",
    )
    .bind(received.provider)
    .bind(received.event_id)
    .bind(received.event_type)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first_time {
        return Ok(EventOutcome::Duplicate);
    }
    let order = match received.event.payment_reference() {
        Some(reference) => {
            sqlx::query_as::<_, (i64, OrderStatus, i64, i64)>(
                "SELECT id, status, total_minor, refunded_minor FROM orders
                 WHERE payment_provider = $1 AND payment_reference = $2 FOR UPDATE",
            )
            .bind(received.provider)
            .bind(reference)
            .fetch_optional(&mut *tx)
            .await?
        }
        None => None,
    };
    let outcome = match (&received.event, order) {
        (ProviderEvent::Other, _) => EventOutcome::Ignored,
        (_, None) => EventOutcome::UnknownPayment,
        (event, Some((id, status, total_minor, refunded_minor))) => {
            let order = OrderPaymentState {
                id,
                status,
                total_minor,
                refunded_minor,
            };
            apply_to_order(&mut tx, event, &order, public_url).await?
        }
    };
    let order_id = match outcome {
        EventOutcome::Applied(_) | EventOutcome::Ignored => order.map(|(id, ..)| id),
        _ => None,
    };
    sqlx::query(
        "UPDATE payment_events SET outcome = $3, order_id = $4 WHERE provider = $1 AND event_id = $2",
    )
    .bind(received.provider)
    .bind(received.event_id)
    .bind(outcome.as_str())
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    metrics::counter!("stoa_payment_events_total", "outcome" => outcome.as_str()).increment(1);
    Ok(outcome)
}

struct OrderPaymentState {
    id: i64,
    status: OrderStatus,
    total_minor: i64,
    refunded_minor: i64,
}

async fn apply_to_order(
    tx: &mut PgConnection,
    event: &ProviderEvent,
    order: &OrderPaymentState,
    public_url: &str,
) -> Result<EventOutcome, AppError> {
    Ok(match event {
        ProviderEvent::PaymentSucceeded { .. } if order.status == OrderStatus::PendingPayment => {
            transition_order_in(
                tx,
                order.id,
                OrderStatus::Paid,
                "payment captured at the provider",
            )
            .await?;
            sqlx::query(
                "UPDATE orders SET payment_attention = NULL, payment_attention_detail = NULL,
                        payment_attention_at = NULL
                 WHERE id = $1 AND payment_attention IN ('capture_failed', 'payment_failed')",
            )
            .bind(order.id)
            .execute(&mut *tx)
            .await?;
            EventOutcome::Applied("marked_paid")
        }
        ProviderEvent::PaymentSucceeded { .. } => EventOutcome::Ignored,
        ProviderEvent::PaymentFailed { message, .. }
            if order.status == OrderStatus::PendingPayment =>
        {
            flag_payment_attention_in(tx, order.id, PaymentAttention::PaymentFailed, message)
                .await?;
            EventOutcome::Applied("flagged_payment_failed")
        }
        ProviderEvent::PaymentFailed { .. } => EventOutcome::Ignored,
        ProviderEvent::DisputeOpened { reason, .. } => {
            flag_payment_attention_in(
                tx,
                order.id,
                PaymentAttention::Disputed,
                &format!("The shopper disputed the charge ({reason})."),
            )
            .await?;
            metrics::counter!("stoa_payment_disputes_total").increment(1);
            EventOutcome::Applied("flagged_disputed")
        }
        ProviderEvent::Refunded { refunds, .. } => {
            record_provider_refunds(tx, order, refunds, public_url).await?
        }
        ProviderEvent::Other => EventOutcome::Ignored,
    })
}

/// Records the refunds the store does not know yet (made in the provider's dashboard),
/// never more than what remains refundable.
async fn record_provider_refunds(
    tx: &mut PgConnection,
    order: &OrderPaymentState,
    refunds: &[(String, i64)],
    public_url: &str,
) -> Result<EventOutcome, AppError> {
    let mut refundable = order.total_minor - order.refunded_minor;
    let mut recorded = false;
    for (reference, amount_minor) in refunds {
        let known: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM order_refunds WHERE provider_reference = $1)",
        )
        .bind(reference)
        .fetch_one(&mut *tx)
        .await?;
        let amount_minor = (*amount_minor).min(refundable);
        if known || amount_minor <= 0 {
            continue;
        }
        book_refund_in(
            tx,
            &RefundToBook {
                order_id: order.id,
                amount_minor,
                reason: "Refunded in the payment provider's dashboard",
                idempotency_key: Uuid::new_v4(),
                actor_id: None,
                provider_reference: Some(reference),
                made_in_provider: true,
            },
            public_url,
        )
        .await?;
        refundable -= amount_minor;
        recorded = true;
    }
    Ok(if recorded {
        EventOutcome::Applied("refund_recorded")
    } else {
        EventOutcome::Ignored
    })
}
