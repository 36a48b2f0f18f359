//! Time-based one-time codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, computed
//! by `totp-rs`), the secret's text form and QR code for authenticator apps, and recovery
//! codes.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub const STEP_SECONDS: u64 = 30;
/// Codes of the step before and after the current one are accepted too (clock drift).
const DRIFT_STEPS: i64 = 1;
pub const RECOVERY_CODES: usize = 10;

/// A new random 160-bit secret.
pub fn new_secret() -> [u8; 20] {
    let mut secret = [0u8; 20];
    OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8]) -> Option<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .with_digits(6)
        .with_step_duration(STEP_SECONDS)
        .build()
        .ok()
}

/// The code for time step `step`.
pub fn code_at_step(secret: &[u8], step: i64) -> Option<String> {
    let time = u64::try_from(step).ok()? * STEP_SECONDS;
    Some(totp(secret)?.generate(time).to_string())
}

pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS as i64)
}

/// Six digits, spaces allowed (apps show "123 456").
pub fn normalise_code(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// The time step whose code `code` is, within the allowed drift around `now_step`.
pub fn matching_step(secret: &[u8], code: &str, now_step: i64) -> Option<i64> {
    (now_step - DRIFT_STEPS..=now_step + DRIFT_STEPS).find(|step| {
        code_at_step(secret, *step).is_some_and(|expected| {
            crate::kernel::encoding::same_bytes(expected.as_bytes(), code.as_bytes())
        })
    })
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret typed in.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut text = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            text.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        text.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    text
}

/// The secret in groups of four, easier to type.
pub fn grouped(text: &str) -> String {
    text.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(store: &str, email: &str, secret: &[u8]) -> String {
    let issuer = percent_encode(store);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        percent_encode(email),
        base32(secret)
    )
}

/// The address as a QR code, an SVG drawn on the server.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// Ten new recovery codes, `xxxxx-xxxxx` from an alphabet without look-alikes.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789-";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let letters: String = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % 31] as char)
                .collect();
            format!("{}-{}", &letters[..5], &letters[5..])
        })
        .collect()
}

/// A recovery code as typed: lower case, without spaces; `None` when it cannot be one.
pub fn normalise_recovery_code(text: &str) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let shape = code.len() == 11
        && code.chars().enumerate().all(|(i, c)| {
            if i == 5 {
                c == '-'
            } else {
                c.is_ascii_alphanumeric()
            }
        });
    shape.then_some(code)
}

pub fn recovery_code_hash(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret and test vectors (the last six digits).
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        assert_eq!(code_at_step(secret, step_of(59)).unwrap(), "287082");
        assert_eq!(code_at_step(secret, step_of(1111111109)).unwrap(), "081804");
        assert_eq!(code_at_step(secret, step_of(1234567890)).unwrap(), "005924");
        assert_eq!(code_at_step(secret, step_of(2000000000)).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let secret = new_secret();
        let now = step_of(1_800_000_000);
        for offset in [-1, 0, 1] {
            let code = code_at_step(&secret, now + offset).unwrap();
            assert_eq!(matching_step(&secret, &code, now), Some(now + offset));
        }
        let old = code_at_step(&secret, now - 2).unwrap();
        let neighbours: Vec<String> = (-1..=1)
            .map(|o| code_at_step(&secret, now + o).unwrap())
            .collect();
        if !neighbours.contains(&old) {
            assert_eq!(matching_step(&secret, &old, now), None);
        }
    }

    #[test]
    fn base32_follows_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(&[0u8; 20]).len(), 32);
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(normalise_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(normalise_code("12345"), None);
        assert_eq!(normalise_code("12345a"), None);
        assert_eq!(
            normalise_recovery_code("ABCDE-fghjk ").as_deref(),
            Some("abcde-fghjk")
        );
        assert_eq!(normalise_recovery_code("abcdefghjkm"), None);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_well_formed_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        for code in &codes {
            assert_eq!(
                normalise_recovery_code(code).as_deref(),
                Some(code.as_str())
            );
        }
    }

    #[test]
    fn the_qr_code_carries_the_otpauth_address() {
        let url = otpauth_url("Stoa Shop", "ana@shop.example", b"12345678901234567890");
        assert!(url.starts_with("otpauth://totp/Stoa%20Shop:ana@shop.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Stoa%20Shop"));
        let svg = qr_svg(&url).unwrap();
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{}",
            &svg[..40]
        );
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}
