//! Submitting the checkout: parse the form, authorize the payment for the total the
//! shopper saw, place the order in one transaction, then capture; void the authorization
//! whenever no new order results.

use crate::checkout::model::CheckoutForm;
use crate::checkout::quote::{checkout_quotes, Destination};
use crate::kernel::address::ShippingAddress;
use crate::kernel::email::EmailAddress;
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::orders::manage::flag_payment_attention;
use crate::orders::model::OrderStatus;
use crate::orders::model::PaymentAttention;
use crate::orders::place::{order_for_key, place_order, OrderRequest, PlacedOrder, Placement};
use crate::orders::status::transition_order;
use crate::payments::stripe::StripePayment;
use crate::payments::{
    AuthorizeRequest, CardDetails, PaymentDetails, PaymentError, PaymentGateways, PaymentProvider,
};
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

/// Today as (year, month), for card expiry checks.
fn this_month() -> (u32, u32) {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    (u32::try_from(today.year()).unwrap_or(0), today.month())
}

/// Places the order for `cart_id` from the submitted form; see the module documentation.
pub async fn submit_checkout(
    pool: &PgPool,
    gateways: &PaymentGateways,
    cart_id: Uuid,
    form: &CheckoutForm,
    public_url: &str,
) -> Result<PlacedOrder, AppError> {
    let mut stage = Stage::Form;
    let mut result = place_from_form(pool, gateways, cart_id, form, public_url, &mut stage).await;
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
                (Stage::Payment, AppError::PaymentNeedsConfirmation(_)) => {
                    "payment_needs_confirmation"
                }
                (Stage::Payment, _) => "payment_declined",
                (Stage::Order, _) => "order_refused",
            };
            metrics::counter!("stoa_checkout_failures_total", "reason" => reason).increment(1);
        }
    }
    result
}

/// Why the chosen method cannot take this order, and what can.
fn method_not_offered(quoted: &crate::checkout::quote::CheckoutQuotes) -> AppError {
    if let Some(message) = &quoted.not_delivered {
        return AppError::invalid(message.clone());
    }
    let offered: Vec<&str> = quoted
        .quotes
        .iter()
        .map(|q| q.method.name.as_str())
        .collect();
    let zone = quoted
        .quotes
        .first()
        .map(|q| format!(" ({})", q.method.zone_name))
        .unwrap_or_default();
    AppError::invalid(format!(
        "The shipping method you chose does not deliver to this address{zone}. Choose {} and place the order again.",
        offered.join(" or ")
    ))
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
    gateways: &PaymentGateways,
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
    let (provider, details) = match payment_choice(gateways, form) {
        Ok(choice) => choice,
        Err(payment_problems) => {
            problems.extend(payment_problems);
            (None, None)
        }
    };
    let (Some(email), Some(address), Some(provider), Some(details), true) =
        (email, address, provider, details, problems.is_empty())
    else {
        return Err(AppError::InvalidInput(problems.join(" ")));
    };

    *stage = Stage::Cart;
    let quoted = checkout_quotes(
        pool,
        cart_id,
        Destination::Address {
            country: &address.country,
            postal_code: &address.postal_code,
        },
    )
    .await?;
    if quoted.lines.is_empty() {
        return Err(AppError::invalid("Your cart is empty."));
    }
    // A code that no longer applies is named rather than silently dropped.
    if let Some(problem) = &quoted.code_problem {
        return Err(crate::promotions::repo::code_blocks_order(problem));
    }
    let currency = quoted.currency.clone();
    let quote = quoted
        .quotes
        .iter()
        .find(|q| q.method.code == form.shipping_method)
        .ok_or_else(|| method_not_offered(&quoted))?;
    let amount = Money::new(quote.totals.total_minor, currency);

    *stage = Stage::Payment;

    let (details, on_account) =
        card_on_account(pool, provider.as_ref(), cart_id, form, details).await?;
    let authorized = provider
        .authorize(AuthorizeRequest {
            amount: &amount,
            details: &details,
            checkout_key: key,
            customer: on_account.customer.as_deref(),
        })
        .await;
    let authorization = match authorized {
        Ok(authorization) => authorization,
        Err(error) => {
            if matches!(error, PaymentError::Declined(_)) {
                metrics::counter!("stoa_payment_declines_total").increment(1);
                // A declined card is not kept for next time.
                if let Some((account_id, customer, reference)) = &on_account.kept {
                    crate::accounts::saved_cards::forget_declined(
                        pool,
                        provider.as_ref(),
                        *account_id,
                        customer,
                        reference,
                    )
                    .await;
                }
            }
            return Err(error.into());
        }
    };
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
        // A twin submit placed the order. With Stripe both submits got the same payment
        // intent (same idempotency key): that one belongs to the order and stays.
        if order_payment_reference(pool, placed.id).await? != authorization.reference {
            void_quietly(provider.as_ref(), &request).await;
        }
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
            // The order stands, awaiting payment, flagged for staff: they retry the capture
            // or cancel (which voids and restocks). No order is silently left unpaid.
            Err(error) => {
                tracing::error!(order = %placed.number, %error, "capturing the payment failed");
                metrics::counter!("stoa_payment_capture_failures_total").increment(1);
                flag_payment_attention(
                    pool,
                    placed.id,
                    PaymentAttention::CaptureFailed,
                    &error.to_string(),
                )
                .await?;
            }
        }
    }
    Ok(placed)
}

/// What a signed-in shopper's account adds to a card payment.
#[derive(Default)]
struct CardOnAccount {
    /// Their customer at the provider, when paying with a saved card or saving this one.
    customer: Option<String>,
    /// The card this checkout saved (account, provider's customer, card), to forget again
    /// when the bank declines it.
    kept: Option<(i64, String, String)>,
}

/// Turns a saved card into the provider's reference, and keeps a new card for the
/// shopper's account when they asked for it (recorded now, so the bank's check (3-D
/// Secure) and the second submit after it need nothing more).
async fn card_on_account(
    pool: &PgPool,
    provider: &dyn PaymentProvider,
    cart_id: Uuid,
    form: &CheckoutForm,
    details: PaymentDetails,
) -> Result<(PaymentDetails, CardOnAccount), AppError> {
    use crate::accounts::saved_cards;
    let save = match form.save_card.trim() {
        "" => false,
        "on" | "true" | "yes" => true,
        _ => {
            return Err(AppError::invalid(
                "Tick the box to save your card, or leave it clear.",
            ))
        }
    };
    let needs_account =
        save || matches!(details, PaymentDetails::Stripe(StripePayment::SavedCard(_)));
    if !needs_account {
        return Ok((details, CardOnAccount::default()));
    }
    let Some(holder) = saved_cards::holder_of_cart(pool, cart_id).await? else {
        return Err(AppError::invalid(
            "Log in to your account to save a card or pay with a saved one.",
        ));
    };
    match details {
        PaymentDetails::Stripe(StripePayment::SavedCard(card_id)) => {
            let reference = saved_cards::saved_card_reference(pool, &holder, card_id).await?;
            let customer = saved_cards::provider_customer(pool, provider, &holder).await?;
            Ok((
                PaymentDetails::Stripe(StripePayment::Method(reference)),
                CardOnAccount {
                    customer: Some(customer),
                    kept: None,
                },
            ))
        }
        PaymentDetails::Stripe(StripePayment::Method(method)) => {
            let (customer, card) = saved_cards::keep_card(pool, provider, &holder, &method).await?;
            saved_cards::record_card(pool, provider.code(), holder.account_id, &card).await?;
            Ok((
                PaymentDetails::Stripe(StripePayment::Method(card.reference.clone())),
                CardOnAccount {
                    customer: Some(customer.clone()),
                    kept: Some((holder.account_id, customer, card.reference)),
                },
            ))
        }
        // Confirmed with the bank: the card was kept on the first submit.
        other => Ok((other, CardOnAccount::default())),
    }
}

/// The provider and the parsed payment details the form chose, or what is wrong.
type PaymentChoice = (Option<Arc<dyn PaymentProvider>>, Option<PaymentDetails>);

fn payment_choice(
    gateways: &PaymentGateways,
    form: &CheckoutForm,
) -> Result<PaymentChoice, Vec<String>> {
    let method = form.payment_method.as_str();
    let offered = method == "manual" || gateways.card_method() == Some(method);
    let Some(provider) = gateways.provider(method).filter(|_| offered) else {
        return Err(vec!["Choose a payment method.".to_owned()]);
    };
    let details = match method {
        "manual" => PaymentDetails::Manual,
        "test-card" => PaymentDetails::Card(CardDetails::parse(
            &form.card_number,
            &form.card_expiry,
            &form.card_cvc,
            this_month(),
        )?),
        _ => PaymentDetails::Stripe(
            StripePayment::parse(
                &form.stripe_payment_method,
                &form.stripe_payment_intent,
                &form.saved_card,
            )
            .map_err(|problem| vec![problem])?,
        ),
    };
    Ok((Some(provider), Some(details)))
}

async fn order_payment_reference(pool: &PgPool, order_id: i64) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT payment_reference FROM orders WHERE id = $1")
            .bind(order_id)
            .fetch_one(pool)
            .await?,
    )
}

async fn void_quietly(provider: &dyn PaymentProvider, request: &OrderRequest) {
    if let Err(error) = provider.void(&request.payment).await {
        tracing::error!(%error, reference = ?request.payment.reference, "voiding an authorization failed");
    }
}
