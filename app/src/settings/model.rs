//! Settings as the staff area shows them.

use serde::{Deserialize, Serialize};

/// Maintenance mode as the staff area shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceSetting {
    pub on: bool,
    pub message: String,
}
