//! Passwords: what is accepted (length by kind of account, no composition rules, never a
//! common password) and how it is stored (argon2id at the OWASP ASVS minimum:
//! m = 19,456 KiB, t = 2, p = 1, with a random salt per password).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::LazyLock;

pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    Customer,
    Staff,
}

impl AccountKind {
    pub fn min_password_chars(self) -> usize {
        match self {
            AccountKind::Customer => 8,
            AccountKind::Staff => 12,
        }
    }
}

/// The shipped list (app/data/common-passwords.txt), lower-cased.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
});

pub fn common_password_count() -> usize {
    COMMON_PASSWORDS.len()
}

/// Checks a new password against the rules; the message says what to change.
/// Length counts characters, not bytes; any character is allowed, spaces included.
pub fn check_new_password(password: &str, kind: AccountKind) -> Result<(), String> {
    let length = password.chars().count();
    let min = kind.min_password_chars();
    if length < min {
        return Err(format!("Use at least {min} characters."));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(format!("Use at most {MAX_PASSWORD_CHARS} characters."));
    }
    if COMMON_PASSWORDS.contains(password.to_lowercase().as_str()) {
        return Err(
            "This password is among the most common ones attackers try first. Choose another."
                .to_owned(),
        );
    }
    Ok(())
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None)
        .unwrap_or_else(|_| unreachable!("constant parameters are valid"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string to store (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches the stored hash (any argon2 parameters the hash names).
pub fn verify_password(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// A random password for a new staff account: 20 characters from an alphabet without
/// look-alikes (about 114 bits).
pub fn generate_password() -> String {
    use argon2::password_hash::rand_core::RngCore;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = OsRng;
    (0..20)
        .map(|_| {
            // Rejection sampling keeps every character equally likely.
            loop {
                let byte = (rng.next_u32() & 0xff) as usize;
                if byte < 256 - 256 % ALPHABET.len() {
                    return ALPHABET[byte % ALPHABET.len()] as char;
                }
            }
        })
        .collect()
}

/// `hash_password` off the async threads: argon2 takes tens of milliseconds of CPU.
pub async fn hash_password_off_thread(
    password: &str,
) -> Result<String, crate::kernel::error::AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| {
            tracing::error!(%error, "password hashing task failed");
            crate::kernel::error::AppError::Internal
        })?
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            crate::kernel::error::AppError::Internal
        })
}

/// A valid hash of a password nobody knows: checked against when an email is unknown, so
/// a failed login takes as long whether or not the account exists.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("decoy password that matches no account").unwrap_or_default());

/// `verify_password` off the async threads; with no stored hash (unknown account) it
/// checks the decoy hash and answers false, in the same time.
pub async fn verify_password_off_thread(stored: Option<String>, password: &str) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify_password(&stored, &password),
        None => {
            let _ = verify_password(&DECOY_HASH, &password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_use_argon2id_with_the_owasp_minimum_parameters() {
        let stored = hash_password("correct horse battery staple").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify_password(&stored, "correct horse battery staple"));
        assert!(!verify_password(&stored, "correct horse battery stapl"));
        assert!(!verify_password("not a hash", "anything"));
        let again = hash_password("correct horse battery staple").unwrap();
        assert_ne!(stored, again, "a new salt every time");
    }

    #[test]
    fn generated_passwords_are_long_random_and_accepted_for_staff() {
        let first = generate_password();
        let second = generate_password();
        assert_eq!(first.chars().count(), 20);
        assert_ne!(first, second);
        assert!(check_new_password(&first, AccountKind::Staff).is_ok());
    }

    #[test]
    fn length_rules_depend_on_the_kind_of_account() {
        assert!(check_new_password("violet-kettle", AccountKind::Customer).is_ok());
        assert_eq!(
            check_new_password("v1olet", AccountKind::Customer),
            Err("Use at least 8 characters.".into())
        );
        assert!(
            check_new_password("v1olet-kett", AccountKind::Staff).is_err(),
            "11 characters are too few for staff"
        );
        assert!(check_new_password("v1olet-kettle", AccountKind::Staff).is_ok());
        assert!(check_new_password(&"k".repeat(129), AccountKind::Customer).is_err());
        assert!(
            check_new_password(&"ké".repeat(64), AccountKind::Customer).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn no_composition_rules_but_common_passwords_are_refused() {
        assert!(common_password_count() >= 10_000);
        for common in [
            "password",
            "12345678",
            "qwertyuiop",
            "Iloveyou",
            "PASSWORD1",
        ] {
            assert!(
                check_new_password(common, AccountKind::Customer).is_err(),
                "{common}"
            );
        }
        assert!(check_new_password("all lower case words", AccountKind::Customer).is_ok());
    }
}
