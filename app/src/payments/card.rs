//! Card numbers typed into the demo gateway's form. They exist only in memory for the
//! duration of the request: `CardDetails` has no `Serialize`, and its `Debug` shows the
//! last four digits only.

use std::fmt;

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

    /// The digits, for a gateway that must see them; never stored or logged.
    #[cfg(feature = "ssr")]
    pub(super) fn number(&self) -> &str {
        &self.number
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
