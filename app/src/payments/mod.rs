//! Payment providers. The checkout authorizes before the order is stored, captures after,
//! and voids when storing the order fails, so a shopper is never charged for an order
//! that does not exist.
//!
//! Card numbers exist only in memory for the duration of the request: `CardDetails` has
//! no `Serialize`, its `Debug` shows the last four digits only, and orders store brand and
//! last four digits, never the number (PCI-DSS SAQ-A scope).

use crate::kernel::money::Money;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

pub type PaymentFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The shopper can fix this (another card, a typo); the message says how.
    #[error("{0}")]
    Declined(String),
    /// The provider failed; try again later.
    #[error("The payment service is not available. Please try again in a moment.")]
    Unavailable,
}

pub struct CardDetails {
    number: String,
    expiry_month: u32,
    expiry_year: u32,
}

impl fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CardDetails(**** {}, {:02}/{})",
            self.last4(),
            self.expiry_month,
            self.expiry_year
        )
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl CardDetails {
    /// Checks number (Luhn), expiry (MM/YY, not past) and CVC (3 or 4 digits).
    /// `today` is (year, month).
    pub fn parse(
        number: &str,
        expiry: &str,
        cvc: &str,
        today: (u32, u32),
    ) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let digits: String = number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !(12..=19).contains(&digits.len())
            || !digits.chars().all(|c| c.is_ascii_digit())
            || !luhn_valid(&digits)
        {
            problems.push("Card number is not valid; check the digits.".to_owned());
        }
        let expiry_parts = expiry.trim().split_once('/').and_then(|(m, y)| {
            Some((m.trim().parse::<u32>().ok()?, y.trim().parse::<u32>().ok()?))
        });
        let (expiry_month, expiry_year) = match expiry_parts {
            Some((m, y)) if (1..=12).contains(&m) && y < 100 => (m, 2000 + y),
            Some((m, y)) if (1..=12).contains(&m) && (2000..2100).contains(&y) => (m, y),
            _ => {
                problems.push("Expiry date must look like MM/YY.".to_owned());
                (0, 0)
            }
        };
        if expiry_month != 0 && (expiry_year, expiry_month) < today {
            problems.push("This card has expired.".to_owned());
        }
        let cvc = cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
            problems.push("Security code (CVC) must be 3 or 4 digits.".to_owned());
        }
        if problems.is_empty() {
            Ok(Self {
                number: digits,
                expiry_month,
                expiry_year,
            })
        } else {
            Err(problems)
        }
    }

    pub fn last4(&self) -> String {
        self.number
            .chars()
            .skip(self.number.len().saturating_sub(4))
            .collect()
    }

    pub fn brand(&self) -> &'static str {
        match self.number.as_bytes().first() {
            Some(b'4') => "Visa",
            Some(b'5') => "Mastercard",
            Some(b'3') => "American Express",
            _ => "Card",
        }
    }
}

pub enum PaymentDetails {
    /// Bank transfer or cash on delivery: nothing to check now.
    Manual,
    Card(CardDetails),
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

pub trait PaymentProvider: Send + Sync {
    fn code(&self) -> &'static str;
    fn authorize<'a>(
        &'a self,
        amount: &'a Money,
        details: &'a PaymentDetails,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>>;
    fn capture<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>>;
    fn void<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>>;
}

/// Bank transfer / cash on delivery: the order waits for payment.
pub struct ManualPayment;

impl PaymentProvider for ManualPayment {
    fn code(&self) -> &'static str {
        "manual"
    }

    fn authorize<'a>(
        &'a self,
        _amount: &'a Money,
        _details: &'a PaymentDetails,
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
}

pub const TEST_CARD_APPROVED: &str = "4242424242424242";
pub const TEST_CARD_DECLINED: &str = "4000000000000002";

/// A simulated card gateway for demos and tests: 4242 4242 4242 4242 is approved,
/// 4000 0000 0000 0002 is declined, any other card is refused with a hint.
pub struct TestCardPayment;

impl PaymentProvider for TestCardPayment {
    fn code(&self) -> &'static str {
        "test-card"
    }

    fn authorize<'a>(
        &'a self,
        amount: &'a Money,
        details: &'a PaymentDetails,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>> {
        Box::pin(async move {
            let PaymentDetails::Card(card) = details else {
                return Err(PaymentError::Declined(
                    "Enter your card details.".to_owned(),
                ));
            };
            match card.number.as_str() {
                TEST_CARD_APPROVED => Ok(Authorization {
                    provider: "test-card",
                    reference: Some(format!(
                        "test_auth_{}_{}",
                        amount.minor_units,
                        uuid::Uuid::new_v4().simple()
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::money::CurrencyCode;

    const TODAY: (u32, u32) = (2026, 11);

    fn card(number: &str) -> CardDetails {
        CardDetails::parse(number, "12/30", "123", TODAY).unwrap()
    }

    fn usd(minor: i64) -> Money {
        Money::new(minor, CurrencyCode::parse("USD").unwrap())
    }

    #[test]
    fn card_input_is_checked_for_shape_luhn_expiry_and_cvc() {
        assert!(CardDetails::parse("4242 4242 4242 4242", "11/26", "123", TODAY).is_ok());
        let problems =
            CardDetails::parse("4242 4242 4242 4241", "10/26", "12a", TODAY).unwrap_err();
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
            .authorize(&usd(1000), &PaymentDetails::Card(card(TEST_CARD_APPROVED)))
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
            .authorize(&usd(1000), &PaymentDetails::Card(card(TEST_CARD_DECLINED)))
            .await;
        assert!(matches!(declined, Err(PaymentError::Declined(m)) if m.contains("declined")));
        let other = gateway
            .authorize(&usd(1000), &PaymentDetails::Card(card("5555555555554444")))
            .await;
        assert!(matches!(other, Err(PaymentError::Declined(_))));
    }
}
