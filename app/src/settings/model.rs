//! Settings as the staff area shows them.

use serde::{Deserialize, Serialize};

/// Maintenance mode as the staff area shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceSetting {
    pub on: bool,
    pub message: String,
}

/// The store's own settings as typed on `/admin/settings`: raw text, checked on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreProfileForm {
    pub store_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_address: String,
    /// An IANA name, `Europe/Berlin`.
    pub time_zone: String,
    /// `Shop <orders@shop.example>`; empty: the server's `STOA_MAIL_FROM`.
    #[serde(default)]
    pub mail_from: String,
    pub order_number_prefix: String,
}

/// What the store section of the settings page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreProfileView {
    pub form: StoreProfileForm,
    /// The store's currency (ISO 4217), shown; it is not changed from the staff area yet.
    pub currency: String,
    /// A few common time zones to choose from (any IANA name is accepted).
    pub time_zones: Vec<String>,
}
