//! Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" with the endpoint's secret>` (several `v1` while a secret is rolled).
//! Checked in constant time, and refused when the timestamp is too far from now, so a
//! captured request cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far the signed time may be from ours: Stripe's libraries use five minutes.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    Stale,
    Mismatch,
}

impl SignatureError {
    pub fn message(self) -> &'static str {
        match self {
            SignatureError::Missing => "The Stripe-Signature header is missing.",
            SignatureError::Malformed => "The Stripe-Signature header could not be read.",
            SignatureError::Stale => "The signature's timestamp is outside the allowed window.",
            SignatureError::Mismatch => "The signature does not match this endpoint's secret.",
        }
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `header` for `body` with `secret`, at time `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => candidates.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let matches = candidates
        .into_iter()
        .filter_map(hex_bytes)
        .any(|expected| {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            // `verify_slice` compares in constant time.
            mac.verify_slice(&expected).is_ok()
        });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_800_000_000;

    fn header(secret: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        let digest = app::kernel::encoding::hex(&mac.finalize().into_bytes());
        format!("t={timestamp},v1={digest}")
    }

    #[test]
    fn a_correct_signature_within_the_window_is_accepted() {
        let body = br#"{"id":"evt_1"}"#;
        let good = header(SECRET, NOW - 10, body);
        assert_eq!(verify(Some(&good), body, SECRET, NOW), Ok(()));
        // While a secret is rolled, Stripe signs with both; either may match.
        let rolled = format!("{},v1=00ff", good);
        assert_eq!(verify(Some(&rolled), body, SECRET, NOW), Ok(()));
    }

    #[test]
    fn wrong_secret_changed_body_old_timestamp_and_garbage_are_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let good = header(SECRET, NOW, body);
        let other_secret = header("whsec_other", NOW, body);
        assert_eq!(
            verify(Some(&other_secret), body, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), br#"{"id":"evt_2"}"#, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        let old = header(SECRET, NOW - TOLERANCE_SECS - 1, body);
        assert_eq!(
            verify(Some(&old), body, SECRET, NOW),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(None, body, SECRET, NOW),
            Err(SignatureError::Missing)
        );
        for garbage in [
            "",
            "t=abc,v1=00",
            "v1=00",
            &format!("t={NOW}"),
            &format!("t={NOW},v1=zz"),
        ] {
            assert!(
                verify(Some(garbage), body, SECRET, NOW).is_err(),
                "{garbage}"
            );
        }
    }
}
