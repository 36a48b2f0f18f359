//! Submitting the checkout: parse the form, authorize the payment for the total the
//! shopper saw, place the order in one transaction, then capture; void the authorization
//! whenever no new order results.

use crate::checkout::model::CheckoutForm;
use crate::checkout::quote::checkout_quotes;
use crate::kernel::address::ShippingAddress;
use crate::kernel::email::EmailAddress;
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::orders::model::OrderStatus;
use crate::orders::place::{order_for_key, place_order, OrderRequest, PlacedOrder, Placement};
use crate::orders::status::transition_order;
use crate::payments::{
    CardDetails, ManualPayment, PaymentDetails, PaymentError, PaymentProvider, TestCardPayment,
};
use sqlx::PgPool;
use uuid::Uuid;

fn payment_error(error: PaymentError) -> AppError {
    match error {
        PaymentError::Declined(message) => AppError::InvalidInput(message),
        PaymentError::Unavailable => AppError::Unreachable,
    }
}

/// Today as (year, month), for card expiry checks.
fn this_month() -> (u32, u32) {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    (u32::try_from(today.year()).unwrap_or(0), today.month())
}

/// Places the order for `cart_id` from the submitted form; see the module documentation.
pub async fn submit_checkout(
    pool: &PgPool,
    cart_id: Uuid,
    form: &CheckoutForm,
    public_url: &str,
) -> Result<PlacedOrder, AppError> {
    let mut stage = Stage::Form;
    let mut result = place_from_form(pool, cart_id, form, public_url, &mut stage).await;
    if result.is_err() {
        // A twin of this request (a double click) may have placed the order meanwhile and
        // emptied the cart under us: then that order is the answer, not our error.
        if let Ok(key) = Uuid::parse_str(form.idempotency_key.trim()) {
            if let Ok(Some(order)) = order_for_key(&mut *pool.acquire().await?, key, cart_id).await
            {
                result = Ok(order);
            }
        }
    }
    match &result {
        Ok(order) if order.placement == Placement::New => {
            metrics::counter!("stoa_orders_placed_total").increment(1);
        }
        Ok(_) => {}
        Err(error) => {
            let reason = match (stage, error) {
                (_, AppError::Internal) => "internal",
                (Stage::Form, _) => "invalid_form",
                (Stage::Cart, _) => "cart_or_shipping",
                (Stage::Payment, AppError::Unreachable) => "payment_unavailable",
                (Stage::Payment, _) => "payment_declined",
                (Stage::Order, _) => "order_refused",
            };
            metrics::counter!("stoa_checkout_failures_total", "reason" => reason).increment(1);
        }
    }
    result
}

/// How far a checkout got, to name the reason when it fails.
#[derive(Clone, Copy)]
enum Stage {
    Form,
    Cart,
    Payment,
    Order,
}

async fn place_from_form(
    pool: &PgPool,
    cart_id: Uuid,
    form: &CheckoutForm,
    public_url: &str,
    stage: &mut Stage,
) -> Result<PlacedOrder, AppError> {
    let key = Uuid::parse_str(form.idempotency_key.trim()).map_err(|_| {
        AppError::invalid("This checkout form is out of date. Reload the page and try again.")
    })?;
    // A retried or doubled submit: the order exists, so nothing else happens (no second charge).
    if let Some(order) = order_for_key(&mut *pool.acquire().await?, key, cart_id).await? {
        return Ok(order);
    }

    let mut problems = Vec::new();
    let email = EmailAddress::parse(&form.email)
        .map_err(|e| problems.push(e))
        .ok();
    let address = ShippingAddress::parse(form)
        .map_err(|p| problems.extend(p))
        .ok();
    let (provider, details): (Box<dyn PaymentProvider>, Option<PaymentDetails>) =
        match form.payment_method.as_str() {
            "manual" => (Box::new(ManualPayment), Some(PaymentDetails::Manual)),
            "test-card" => (
                Box::new(TestCardPayment),
                CardDetails::parse(
                    &form.card_number,
                    &form.card_expiry,
                    &form.card_cvc,
                    this_month(),
                )
                .map(PaymentDetails::Card)
                .map_err(|p| problems.extend(p))
                .ok(),
            ),
            _ => {
                problems.push("Choose a payment method.".to_owned());
                (Box::new(ManualPayment), None)
            }
        };
    let (Some(email), Some(address), Some(details), true) =
        (email, address, details, problems.is_empty())
    else {
        return Err(AppError::InvalidInput(problems.join(" ")));
    };

    *stage = Stage::Cart;
    let (lines, quotes, currency) = checkout_quotes(pool, cart_id).await?;
    if lines.is_empty() {
        return Err(AppError::invalid("Your cart is empty."));
    }
    let quote = quotes
        .iter()
        .find(|q| q.method.code == form.shipping_method)
        .ok_or_else(|| AppError::invalid("Choose one of the shipping methods offered."))?;
    let amount = Money::new(quote.totals.total_minor, currency);

    *stage = Stage::Payment;

    let authorization = provider
        .authorize(&amount, &details)
        .await
        .map_err(|error| {
            if matches!(error, PaymentError::Declined(_)) {
                metrics::counter!("stoa_payment_declines_total").increment(1);
            }
            payment_error(error)
        })?;
    let request = OrderRequest {
        cart_id,
        idempotency_key: key,
        email,
        address,
        shipping_method: quote.method.code.clone(),
        payment: authorization.clone(),
        expected_total_minor: Some(quote.totals.total_minor),
        public_url: public_url.to_owned(),
    };
    *stage = Stage::Order;
    let placed = match place_order(pool, &request).await {
        Ok(placed) => placed,
        Err(error) => {
            void_quietly(provider.as_ref(), &request).await;
            return Err(error);
        }
    };
    if placed.placement == Placement::AlreadyPlaced {
        void_quietly(provider.as_ref(), &request).await;
        return Ok(placed);
    }
    if authorization.capture_after_placing {
        match provider.capture(&authorization).await {
            Ok(()) => {
                let status =
                    transition_order(pool, placed.id, OrderStatus::Paid, "card payment captured")
                        .await?;
                return Ok(PlacedOrder { status, ..placed });
            }
            // The order stands, awaiting payment; staff see it and can follow up.
            Err(error) => {
                tracing::error!(order = %placed.number, %error, "capturing the payment failed")
            }
        }
    }
    Ok(placed)
}

async fn void_quietly(provider: &dyn PaymentProvider, request: &OrderRequest) {
    if let Err(error) = provider.void(&request.payment).await {
        tracing::error!(%error, reference = ?request.payment.reference, "voiding an authorization failed");
    }
}
