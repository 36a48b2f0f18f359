//! The emails accounts send: plain text, written to the outbox in the transaction of the
//! change they announce.

use sqlx::PgConnection;

pub enum AccountEmail<'a> {
    /// The link that confirms a new account's address.
    Verification {
        token: &'a str,
    },
    /// Sent instead of a confirmation link when someone registers with an address that
    /// already has an account: the page says the same thing in both cases.
    AlreadyRegistered,
    PasswordReset {
        token: &'a str,
    },
    PasswordChanged,
    /// A new staff member's link to choose their first password.
    StaffInvitation {
        token: &'a str,
        role: &'a str,
    },
}

impl AccountEmail<'_> {
    /// The outbox kind, the subject and the text.
    fn compose(&self, public_url: &str) -> (&'static str, &'static str, String) {
        match self {
            AccountEmail::Verification { token } => (
                "verify_email",
                "Confirm your email address",
                format!(
                    "Welcome!\n\nConfirm your email address to finish creating your account:\n\
                     {public_url}/account/verify?token={token}\n\n\
                     The link works once, for 24 hours. If you did not ask for an account, ignore \
                     this email: nothing happens without the link.\n"
                ),
            ),
            AccountEmail::AlreadyRegistered => (
                "already_registered",
                "You already have an account",
                format!(
                    "Someone (probably you) tried to create an account with this email address, \
                     but you already have one.\n\n\
                     Log in: {public_url}/account/login\n\
                     Forgot your password? Reset it: {public_url}/account/forgot\n\n\
                     If it was not you, ignore this email: your account has not changed.\n"
                ),
            ),
            AccountEmail::PasswordReset { token } => (
                "password_reset",
                "Reset your password",
                format!(
                    "Choose a new password with this link:\n\
                     {public_url}/account/reset?token={token}\n\n\
                     The link works once, for 30 minutes. If you did not ask for it, ignore this \
                     email: your password has not changed.\n"
                ),
            ),
            AccountEmail::StaffInvitation { token, role } => (
                "staff_invitation",
                "You are invited to the store's staff area",
                format!(
                    "You have been given a staff account with the role {role}.\n\n\
                     Choose your password with this link (it works once, for 7 days):\n\
                     {public_url}/account/reset?token={token}\n\n\
                     Then log in and open {public_url}/admin\n"
                ),
            ),
            AccountEmail::PasswordChanged => (
                "password_changed",
                "Your password was changed",
                format!(
                    "The password of your account was just changed, and every other session was \
                     logged out.\n\n\
                     If this was not you, reset your password now: {public_url}/account/forgot\n"
                ),
            ),
        }
    }

    /// Writes the email to the outbox, inside the caller's transaction.
    pub async fn queue(
        &self,
        connection: &mut PgConnection,
        recipient: &str,
        public_url: &str,
    ) -> Result<(), sqlx::Error> {
        let (kind, subject, body) = self.compose(public_url);
        crate::kernel::email::queue_email(connection, kind, None, recipient, subject, &body).await
    }
}
