//! Payment providers. The checkout authorizes before the order is stored, captures after,
//! and voids when storing the order fails, so a shopper is never charged for an order
//! that does not exist. Every call that creates or moves money carries an idempotency key
//! derived from our own key (the checkout's, the refund form's), so a retry, a timeout or
//! a double click never charges or refunds twice.
//!
//! Card numbers never reach Stoa with a real provider (Stripe's script collects them and
//! hands us a payment method id); the demo gateway's numbers exist only in memory for the
//! request. Orders store brand and last four digits, never the number (PCI-DSS SAQ-A).

mod card;
#[cfg(feature = "ssr")]
mod simulated;
pub mod stripe;

pub use card::CardDetails;
#[cfg(feature = "ssr")]
pub use simulated::{ManualPayment, TestCardPayment, TEST_CARD_APPROVED, TEST_CARD_DECLINED};

use crate::kernel::money::Money;
#[cfg(feature = "ssr")]
use std::future::Future;
#[cfg(feature = "ssr")]
use std::pin::Pin;
#[cfg(feature = "ssr")]
use std::sync::Arc;
#[cfg(feature = "ssr")]
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub type PaymentFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The shopper can fix this (another card, a typo); the message says how.
    #[error("{0}")]
    Declined(String),
    /// The card's bank wants the shopper to confirm (3-D Secure): the browser completes
    /// it with the provider's script and this secret, then submits again.
    #[error("Your bank asks you to confirm this payment.")]
    NeedsAuthentication { client_secret: String },
    /// The provider refused a request for a reason the shopper cannot fix (a refund above
    /// what was captured, an unknown payment); the message is for staff.
    #[error("{0}")]
    Refused(String),
    /// The provider failed or could not be reached; try again later.
    #[error("The payment service is not available. Please try again in a moment.")]
    Unavailable,
}

/// What a shopper is told when a payment step fails: their bank's answer, the bank's
/// request to confirm, or that the payment service is unavailable (a provider's refusal is
/// logged for staff and never shown to shoppers).
#[cfg(feature = "ssr")]
impl From<PaymentError> for crate::kernel::error::AppError {
    fn from(error: PaymentError) -> Self {
        use crate::kernel::error::AppError;
        match error {
            PaymentError::Declined(message) => AppError::InvalidInput(message),
            PaymentError::NeedsAuthentication { client_secret } => {
                AppError::PaymentNeedsConfirmation(client_secret)
            }
            PaymentError::Refused(message) => {
                tracing::error!(%message, "the payment provider refused a shopper's request");
                AppError::Unreachable
            }
            PaymentError::Unavailable => AppError::Unreachable,
        }
    }
}

pub enum PaymentDetails {
    /// Bank transfer or cash on delivery: nothing to check now.
    Manual,
    /// Typed into the demo gateway's form.
    Card(CardDetails),
    /// Collected by Stripe's script in the browser.
    Stripe(stripe::StripePayment),
}

/// What a successful authorization leaves on the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub provider: &'static str,
    pub reference: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    /// Capture right after the order is stored (cards); manual payments wait for staff.
    pub capture_after_placing: bool,
}

/// One authorization asked of a provider for one checkout.
#[cfg(feature = "ssr")]
pub struct AuthorizeRequest<'a> {
    pub amount: &'a Money,
    pub details: &'a PaymentDetails,
    /// The checkout's idempotency key: a retried submit reuses the same authorization.
    pub checkout_key: Uuid,
    /// The shopper's customer at the provider, when paying with a saved card or saving
    /// this one.
    pub customer: Option<&'a str>,
}

/// Money sent back to the shopper for one refund form submission.
pub struct RefundRequest<'a> {
    /// The provider's reference of the captured payment.
    pub payment_reference: &'a str,
    pub amount: &'a Money,
    /// Names this refund for the provider (the refund form's key, or the cancelled
    /// order's number): a retried submit refunds once.
    pub refund_key: String,
}

/// A refund the provider accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRefund {
    /// The provider's id for it, when it has one (Stripe's `re_…`).
    pub reference: Option<String>,
}

/// A card the provider keeps for a customer, as the store records it: never the number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardOnFile {
    /// What to charge next time (Stripe's `pm_…`, or `card_…` for a card kept from a token).
    pub reference: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: i16,
    pub exp_year: i16,
}

#[cfg(feature = "ssr")]
fn cards_not_kept<T: Send + 'static>() -> PaymentFuture<'static, Result<T, PaymentError>> {
    Box::pin(async {
        Err(PaymentError::Refused(
            "This payment method does not keep cards.".to_owned(),
        ))
    })
}

#[cfg(feature = "ssr")]
pub trait PaymentProvider: Send + Sync {
    fn code(&self) -> &'static str;
    fn authorize<'a>(
        &'a self,
        request: AuthorizeRequest<'a>,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>>;
    fn capture<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>>;
    fn void<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>>;
    fn refund<'a>(
        &'a self,
        request: RefundRequest<'a>,
    ) -> PaymentFuture<'a, Result<ProviderRefund, PaymentError>>;

    /// Makes the provider's customer record for a store account; returns its reference.
    fn create_customer<'a>(
        &'a self,
        _account_id: i64,
        _email: &'a str,
    ) -> PaymentFuture<'a, Result<String, PaymentError>> {
        cards_not_kept()
    }

    /// Keeps the card behind `method` for `customer`, to pay with it next time.
    fn keep_card<'a>(
        &'a self,
        _customer: &'a str,
        _method: &'a str,
    ) -> PaymentFuture<'a, Result<CardOnFile, PaymentError>> {
        cards_not_kept()
    }

    /// Stops keeping a card; a card already gone counts as done.
    fn forget_card<'a>(
        &'a self,
        _customer: &'a str,
        _reference: &'a str,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        cards_not_kept()
    }

    /// Deletes the provider's customer record (erasure); one already gone counts as done.
    fn forget_customer<'a>(
        &'a self,
        _customer: &'a str,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        cards_not_kept()
    }
}

/// Stripe, when the store is configured for it: the client and what browsers need.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct StripeGateway {
    pub provider: Arc<dyn PaymentProvider>,
    pub browser: stripe::StripeBrowserSettings,
}

/// The providers this store takes payments with: the manual method always, Stripe when it
/// is configured, the demo card gateway otherwise (never in production). Handed to the
/// checkout and the staff actions.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct PaymentGateways {
    stripe: Option<StripeGateway>,
    offers_test_card: bool,
}

#[cfg(feature = "ssr")]
impl PaymentGateways {
    pub fn new(stripe: Option<StripeGateway>, offers_test_card: bool) -> Self {
        Self {
            stripe,
            offers_test_card,
        }
    }

    /// Manual payments and the demo card gateway only: for development and tests.
    pub fn simulated() -> Self {
        Self::new(None, true)
    }

    /// The provider that took the payment recorded as `code` on an order. The demo
    /// gateway stays known for orders placed with it, even where it is no longer offered.
    pub fn provider(&self, code: &str) -> Option<Arc<dyn PaymentProvider>> {
        match code {
            "manual" => Some(Arc::new(ManualPayment)),
            "test-card" => Some(Arc::new(TestCardPayment)),
            "stripe" => self.stripe.as_ref().map(|s| s.provider.clone()),
            _ => None,
        }
    }

    /// The card provider shoppers are offered at checkout, if any.
    pub fn card_method(&self) -> Option<&'static str> {
        if self.stripe.is_some() {
            Some("stripe")
        } else if self.offers_test_card {
            Some("test-card")
        } else {
            None
        }
    }

    /// The provider that keeps cards for customers with an account, if any.
    pub fn card_keeper(&self) -> Option<Arc<dyn PaymentProvider>> {
        self.stripe.as_ref().map(|s| s.provider.clone())
    }

    pub fn stripe_browser(&self) -> Option<&stripe::StripeBrowserSettings> {
        self.stripe.as_ref().map(|s| &s.browser)
    }
}

/// The gateways the server put in the Leptos context, for server functions.
#[cfg(feature = "ssr")]
pub fn payment_gateways() -> Result<PaymentGateways, crate::kernel::error::AppError> {
    leptos::prelude::use_context::<PaymentGateways>().ok_or_else(|| {
        tracing::error!("PaymentGateways was not provided to the Leptos context");
        crate::kernel::error::AppError::Internal
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests;
