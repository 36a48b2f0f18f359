//! The card form's checks and the demo gateway.

use super::*;
use crate::kernel::money::CurrencyCode;

const TODAY: (u32, u32) = (2026, 11);

fn card(number: &str) -> CardDetails {
    CardDetails::parse(number, "12/30", "123", TODAY).unwrap()
}

fn request<'a>(amount: &'a Money, details: &'a PaymentDetails) -> AuthorizeRequest<'a> {
    AuthorizeRequest {
        amount,
        details,
        checkout_key: Uuid::new_v4(),
        customer: None,
    }
}

fn usd(minor: i64) -> Money {
    Money::new(minor, CurrencyCode::parse("USD").unwrap())
}

#[test]
fn card_input_is_checked_for_shape_luhn_expiry_and_cvc() {
    assert!(CardDetails::parse("4242 4242 4242 4242", "11/26", "123", TODAY).is_ok());
    let problems = CardDetails::parse("4242 4242 4242 4241", "10/26", "12a", TODAY).unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(CardDetails::parse("4242424242424242", "13/30", "123", TODAY).is_err());
    assert!(CardDetails::parse("abcd", "12/30", "123", TODAY).is_err());
}

#[test]
fn debug_output_never_contains_the_card_number() {
    let text = format!("{:?}", card("4242 4242 4242 4242"));
    assert!(!text.contains("42424242"), "{text}");
    assert!(text.contains("4242"));
}

#[tokio::test]
async fn the_test_card_gateway_approves_4242_and_declines_0002() {
    let gateway = TestCardPayment;
    let approved = gateway
        .authorize(request(
            &usd(1000),
            &PaymentDetails::Card(card(TEST_CARD_APPROVED)),
        ))
        .await
        .unwrap();
    assert_eq!(
        (
            approved.card_brand.as_deref(),
            approved.card_last4.as_deref()
        ),
        (Some("Visa"), Some("4242"))
    );
    assert!(!approved.reference.unwrap().contains(TEST_CARD_APPROVED));
    let declined = gateway
        .authorize(request(
            &usd(1000),
            &PaymentDetails::Card(card(TEST_CARD_DECLINED)),
        ))
        .await;
    assert!(matches!(declined, Err(PaymentError::Declined(m)) if m.contains("declined")));
    let other = gateway
        .authorize(request(
            &usd(1000),
            &PaymentDetails::Card(card("5555555555554444")),
        ))
        .await;
    assert!(matches!(other, Err(PaymentError::Declined(_))));
}
