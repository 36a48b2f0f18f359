//! Two-factor login and login sessions as the pages show them.

use serde::{Deserialize, Serialize};

/// What the security page shows about the account's second factor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// Logged in, or part-way through a login that must enrol first.
    pub email: String,
    pub is_staff: bool,
    pub enrolled: bool,
    /// The store requires it for this account's role.
    pub required: bool,
    /// A login is waiting for this enrolment (the store requires it).
    pub enrolling_to_log_in: bool,
    /// Set up but not yet confirmed with a code.
    pub setup: Option<TwoFactorSetup>,
    /// Shown once after enrolment, until the person says they have kept them.
    pub new_recovery_codes: Vec<String>,
    pub recovery_codes_left: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// The secret in base32, in groups of four, for typing into an app.
    pub secret_text: String,
    /// A QR code of the otpauth address, as SVG drawn by the server.
    pub qr_svg: String,
}

/// One place where the account is logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginSession {
    pub id: String,
    /// Browser and system, read from the user agent.
    pub device: String,
    pub client_address: String,
    pub logged_in_at: String,
    pub last_seen_at: String,
    /// The session this page is shown in.
    pub current: bool,
}
