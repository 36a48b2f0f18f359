//! An email address that has been checked once, at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_EMAIL_CHARS: usize = 254;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts `local@domain.tld` without spaces; the domain is lower-cased.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let invalid = || "Enter an email address such as name@example.com.".to_owned();
        if text.is_empty() || text.chars().count() > MAX_EMAIL_CHARS {
            return Err(invalid());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        let bad_char =
            |c: char| c.is_whitespace() || c.is_control() || c == '@' || c == '<' || c == '>';
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty()
            || local.chars().any(bad_char)
            || domain.chars().any(bad_char)
            || !domain_ok
        {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes an email to the outbox, inside the caller's transaction; the mail worker sends
/// it once that transaction commits. `kind` is one of the kinds the outbox table allows.
#[cfg(feature = "ssr")]
pub async fn queue_email(
    connection: &mut sqlx::PgConnection,
    kind: &str,
    order_id: Option<i64>,
    recipient: &str,
    subject: &str,
    body_text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox_emails (order_id, kind, recipient, subject, body_text)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(kind)
    .bind(recipient)
    .bind(subject)
    .bind(body_text)
    .execute(connection)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        assert_eq!(
            EmailAddress::parse(" Ada@Example.COM ").unwrap().as_str(),
            "Ada@example.com"
        );
        assert!(EmailAddress::parse("a.b+tag@mail.example.org").is_ok());
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        let too_long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a@.com",
            "a@example..com",
            "<a>@example.com",
            too_long.as_str(),
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }
}
