//! Single-use links sent by email (confirming an address, resetting a password). The
//! link carries 32 random bytes; the database keeps only their SHA-256, so reading the
//! database (or a backup) does not give anyone a working link.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    /// A new staff member choosing their first password.
    StaffInvitation,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::StaffInvitation => "staff_invitation",
        }
    }

    /// How long a link stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::VerifyEmail => Duration::from_secs(24 * 60 * 60),
            Purpose::ResetPassword => Duration::from_secs(30 * 60),
            Purpose::StaffInvitation => Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates a link token for the account, replacing its unused ones for the same purpose
/// (only the newest link works), and returns the token to put in the link.
pub async fn issue(
    connection: &mut PgConnection,
    account_id: i64,
    purpose: Purpose,
) -> Result<String, sqlx::Error> {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = crate::kernel::encoding::hex(&bytes);
    sqlx::query(
        "DELETE FROM account_tokens WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(account_id)
    .bind(purpose.as_str())
    .execute(&mut *connection)
    .await?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(digest(&token))
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(purpose.lifetime().as_secs_f64())
    .execute(&mut *connection)
    .await?;
    Ok(token)
}

/// Marks the token used and returns its account, when it exists, has this purpose, has
/// not expired and was not used before. Call inside the transaction that acts on it.
pub async fn consume(
    connection: &mut PgConnection,
    token: &str,
    purpose: Purpose,
) -> Result<Option<i64>, sqlx::Error> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING account_id",
    )
    .bind(digest(&token.to_ascii_lowercase()))
    .bind(purpose.as_str())
    .fetch_optional(connection)
    .await
}
