//! The emails accounts send: plain text, written to the outbox in the transaction of the
//! change they announce.

use sqlx::PgConnection;

pub async fn queue_verification(
    connection: &mut PgConnection,
    recipient: &str,
    token: &str,
    public_url: &str,
) -> Result<(), sqlx::Error> {
    let body = format!(
        "Welcome!\n\nConfirm your email address to finish creating your account:\n\
         {public_url}/account/verify?token={token}\n\n\
         The link works once, for 24 hours. If you did not ask for an account, ignore this email: \
         nothing happens without the link.\n"
    );
    crate::email::queue_email(
        connection,
        "verify_email",
        None,
        recipient,
        "Confirm your email address",
        &body,
    )
    .await
}

/// Sent instead of a confirmation link when someone registers with an address that
/// already has an account: the page says the same thing in both cases.
pub async fn queue_already_registered(
    connection: &mut PgConnection,
    recipient: &str,
    public_url: &str,
) -> Result<(), sqlx::Error> {
    let body = format!(
        "Someone (probably you) tried to create an account with this email address, \
         but you already have one.\n\n\
         Log in: {public_url}/account/login\n\
         Forgot your password? Reset it: {public_url}/account/forgot\n\n\
         If it was not you, ignore this email: your account has not changed.\n"
    );
    crate::email::queue_email(
        connection,
        "already_registered",
        None,
        recipient,
        "You already have an account",
        &body,
    )
    .await
}

pub async fn queue_password_reset(
    connection: &mut PgConnection,
    recipient: &str,
    token: &str,
    public_url: &str,
) -> Result<(), sqlx::Error> {
    let body = format!(
        "Choose a new password with this link:\n\
         {public_url}/account/reset?token={token}\n\n\
         The link works once, for 30 minutes. If you did not ask for it, ignore this email: \
         your password has not changed.\n"
    );
    crate::email::queue_email(
        connection,
        "password_reset",
        None,
        recipient,
        "Reset your password",
        &body,
    )
    .await
}

pub async fn queue_password_changed(
    connection: &mut PgConnection,
    recipient: &str,
    public_url: &str,
) -> Result<(), sqlx::Error> {
    let body = format!(
        "The password of your account was just changed, and every other session was logged out.\n\n\
         If this was not you, reset your password now: {public_url}/account/forgot\n"
    );
    crate::email::queue_email(
        connection,
        "password_changed",
        None,
        recipient,
        "Your password was changed",
        &body,
    )
    .await
}
