//! The providers that need no outside service: the manual method (bank transfer, cash on
//! delivery) and a demo card gateway.

use super::{
    Authorization, AuthorizeRequest, PaymentDetails, PaymentError, PaymentFuture, PaymentProvider,
    ProviderRefund, RefundRequest,
};

/// Bank transfer / cash on delivery: the order waits for payment, and refunds are paid
/// out by hand (the store records them).
pub struct ManualPayment;

impl PaymentProvider for ManualPayment {
    fn code(&self) -> &'static str {
        "manual"
    }

    fn authorize<'a>(
        &'a self,
        _request: AuthorizeRequest<'a>,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>> {
        Box::pin(async {
            Ok(Authorization {
                provider: "manual",
                reference: None,
                card_brand: None,
                card_last4: None,
                capture_after_placing: false,
            })
        })
    }

    fn capture<'a>(
        &'a self,
        _authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }

    fn void<'a>(
        &'a self,
        _authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }

    fn refund<'a>(
        &'a self,
        _request: RefundRequest<'a>,
    ) -> PaymentFuture<'a, Result<ProviderRefund, PaymentError>> {
        Box::pin(async { Ok(ProviderRefund { reference: None }) })
    }
}

pub const TEST_CARD_APPROVED: &str = "4242424242424242";
pub const TEST_CARD_DECLINED: &str = "4000000000000002";

/// A simulated card gateway for demos and tests: 4242 4242 4242 4242 is approved,
/// 4000 0000 0000 0002 is declined, any other card is refused with a hint. Moves no money.
pub struct TestCardPayment;

impl PaymentProvider for TestCardPayment {
    fn code(&self) -> &'static str {
        "test-card"
    }

    fn authorize<'a>(
        &'a self,
        request: AuthorizeRequest<'a>,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>> {
        Box::pin(async move {
            let PaymentDetails::Card(card) = request.details else {
                return Err(PaymentError::Declined(
                    "Enter your card details.".to_owned(),
                ));
            };
            match card.number() {
                TEST_CARD_APPROVED => Ok(Authorization {
                    provider: "test-card",
                    reference: Some(format!(
                        "test_auth_{}_{}",
                        request.amount.minor_units,
                        request.checkout_key.simple()
                    )),
                    card_brand: Some(card.brand().to_owned()),
                    card_last4: Some(card.last4()),
                    capture_after_placing: true,
                }),
                TEST_CARD_DECLINED => Err(PaymentError::Declined(
                    "Your card was declined. Your cart is unchanged; try another card.".to_owned(),
                )),
                _ => Err(PaymentError::Declined(
                    "This demo store takes only the test card 4242 4242 4242 4242.".to_owned(),
                )),
            }
        })
    }

    fn capture<'a>(
        &'a self,
        _authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }

    fn void<'a>(
        &'a self,
        _authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }

    fn refund<'a>(
        &'a self,
        _request: RefundRequest<'a>,
    ) -> PaymentFuture<'a, Result<ProviderRefund, PaymentError>> {
        Box::pin(async { Ok(ProviderRefund { reference: None }) })
    }
}
