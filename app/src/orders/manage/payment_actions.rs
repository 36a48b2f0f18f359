//! The staff actions that move money at the payment provider: retrying a capture that
//! failed after the order was stored, voiding or refunding when an order is cancelled.
//! Each runs under the order's row lock, so two clicks never move money twice, and the
//! provider's idempotency keys cover a retry after a timeout.

use crate::audit::{record, Actor, Change};
use crate::kernel::error::AppError;
use crate::kernel::money::{CurrencyCode, Money};
use crate::orders::model::{OrderStatus, PaymentAttention};
use crate::orders::status::transition_order_in;
use crate::payments::{Authorization, PaymentGateways, PaymentProvider, RefundRequest};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use uuid::Uuid;

/// How many orders have a payment that staff must look at (the dashboard's alert).
pub async fn payment_attention_count(pool: &PgPool) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE payment_attention IS NOT NULL")
            .fetch_one(pool)
            .await?,
    )
}

/// Marks the order's payment as needing staff, with what went wrong.
pub async fn flag_payment_attention(
    pool: &PgPool,
    order_id: i64,
    attention: PaymentAttention,
    detail: &str,
) -> Result<(), AppError> {
    flag_payment_attention_in(&mut *pool.acquire().await?, order_id, attention, detail).await
}

pub async fn flag_payment_attention_in(
    connection: &mut PgConnection,
    order_id: i64,
    attention: PaymentAttention,
    detail: &str,
) -> Result<(), AppError> {
    let detail: String = detail.chars().take(500).collect();
    sqlx::query(
        "UPDATE orders SET payment_attention = $2, payment_attention_detail = $3,
                payment_attention_at = now()
         WHERE id = $1",
    )
    .bind(order_id)
    .bind(attention.as_str())
    .bind(detail)
    .execute(connection)
    .await?;
    Ok(())
}

async fn clear_payment_attention_in(
    connection: &mut PgConnection,
    order_id: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE orders SET payment_attention = NULL, payment_attention_detail = NULL,
                payment_attention_at = NULL
         WHERE id = $1",
    )
    .bind(order_id)
    .execute(connection)
    .await?;
    Ok(())
}

/// An order's payment as recorded, read under the order's row lock.
#[derive(sqlx::FromRow)]
pub(super) struct LockedPayment {
    pub number: String,
    pub status: OrderStatus,
    pub currency: String,
    pub total_minor: i64,
    pub refunded_minor: i64,
    pub payment_provider: String,
    pub payment_reference: Option<String>,
    pub payment_attention: Option<String>,
}

impl LockedPayment {
    pub(super) async fn lock(
        connection: &mut PgConnection,
        order_id: i64,
    ) -> Result<Self, AppError> {
        sqlx::query_as(
            "SELECT number, status, currency, total_minor, refunded_minor, payment_provider,
                    payment_reference, payment_attention
             FROM orders WHERE id = $1 FOR UPDATE",
        )
        .bind(order_id)
        .fetch_optional(connection)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such order."))
    }

    pub(super) fn currency(&self) -> Result<CurrencyCode, AppError> {
        CurrencyCode::parse(&self.currency).map_err(|_| AppError::Internal)
    }

    /// The provider that took this payment; an error when it is no longer configured.
    pub(super) fn provider(
        &self,
        gateways: &PaymentGateways,
    ) -> Result<Arc<dyn PaymentProvider>, AppError> {
        gateways.provider(&self.payment_provider).ok_or_else(|| {
            AppError::invalid(format!(
                "This order was paid through “{}”, which this store is not configured for: \
                 configure it again to move money for this order.",
                self.payment_provider
            ))
        })
    }

    /// The authorization as the provider knows it, for capture and void.
    fn authorization(&self, provider: &dyn PaymentProvider) -> Option<Authorization> {
        self.payment_reference
            .as_ref()
            .map(|reference| Authorization {
                provider: provider.code(),
                reference: Some(reference.clone()),
                card_brand: None,
                card_last4: None,
                capture_after_placing: true,
            })
    }
}

/// Captures a card payment whose capture failed after the order was stored; the order
/// becomes paid. Answers with the provider's error, and keeps the flag, when it fails again.
pub async fn retry_capture(
    pool: &PgPool,
    gateways: &PaymentGateways,
    actor: &Actor,
    order_id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let payment = LockedPayment::lock(&mut tx, order_id).await?;
    if payment.status == OrderStatus::Paid {
        return Ok(()); // a double click: the first one captured
    }
    let provider = payment.provider(gateways)?;
    let authorization = match (&payment.payment_attention, payment.status) {
        (Some(flag), OrderStatus::PendingPayment)
            if flag == PaymentAttention::CaptureFailed.as_str() =>
        {
            payment.authorization(provider.as_ref())
        }
        _ => None,
    }
    .ok_or_else(|| AppError::invalid("This order has no card payment waiting to be captured."))?;
    if let Err(error) = provider.capture(&authorization).await {
        return Err(AppError::invalid(format!(
            "Capturing the payment failed again: {error} The order stays flagged."
        )));
    }
    let moved = transition_order_in(
        &mut tx,
        order_id,
        OrderStatus::Paid,
        "card payment captured on retry",
    )
    .await?;
    clear_payment_attention_in(&mut tx, order_id).await?;
    metrics::counter!("stoa_payment_capture_retries_total").increment(1);
    record(
        &mut tx,
        actor,
        Change {
            action: "order.retry_capture",
            entity_type: "order",
            entity_id: payment.number.clone(),
            before: Some(serde_json::json!({ "status": moved.from.as_str(), "payment_attention": payment.payment_attention })),
            after: Some(serde_json::json!({ "status": moved.to.as_str(), "payment_attention": null })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What cancelling did with the money, for the audit record.
pub(super) enum CancelledPayment {
    Nothing,
    Voided,
    Refunded { amount_minor: i64 },
}

/// Before an order is cancelled: voids a card authorization not yet captured, or refunds
/// what was captured and not yet refunded. Runs under the order's row lock held by the
/// caller; when the provider refuses, nothing is cancelled.
pub(super) async fn release_payment_for_cancel(
    connection: &mut PgConnection,
    gateways: &PaymentGateways,
    order_id: i64,
    payment: &LockedPayment,
) -> Result<CancelledPayment, AppError> {
    if payment.payment_reference.is_none() || payment.payment_provider == "manual" {
        return Ok(CancelledPayment::Nothing);
    }
    let provider = payment.provider(gateways)?;
    match payment.status {
        OrderStatus::PendingPayment => {
            let Some(authorization) = payment.authorization(provider.as_ref()) else {
                return Ok(CancelledPayment::Nothing);
            };
            provider.void(&authorization).await.map_err(|error| {
                AppError::invalid(format!(
                    "The card authorization could not be voided: {error} The order was not cancelled; try again."
                ))
            })?;
            clear_payment_attention_in(connection, order_id).await?;
            Ok(CancelledPayment::Voided)
        }
        OrderStatus::Paid if payment.total_minor > payment.refunded_minor => {
            let amount_minor = payment.total_minor - payment.refunded_minor;
            let amount = Money::new(amount_minor, payment.currency()?);
            let reference = payment.payment_reference.as_deref().unwrap_or_default();
            let refunded = provider
                .refund(RefundRequest {
                    payment_reference: reference,
                    amount: &amount,
                    refund_key: format!("cancel-{}", payment.number),
                })
                .await
                .map_err(|error| {
                    AppError::invalid(format!(
                        "Refunding the card payment failed: {error} The order was not cancelled; try again."
                    ))
                })?;
            sqlx::query(
                "INSERT INTO order_refunds (order_id, amount_minor, reason, idempotency_key, provider_reference)
                 VALUES ($1, $2, 'Order cancelled', $3, $4)
                 ON CONFLICT (provider_reference) DO NOTHING",
            )
            .bind(order_id)
            .bind(amount_minor)
            .bind(Uuid::new_v4())
            .bind(refunded.reference)
            .execute(&mut *connection)
            .await?;
            sqlx::query("UPDATE orders SET refunded_minor = total_minor WHERE id = $1")
                .bind(order_id)
                .execute(&mut *connection)
                .await?;
            Ok(CancelledPayment::Refunded { amount_minor })
        }
        _ => Ok(CancelledPayment::Nothing),
    }
}
