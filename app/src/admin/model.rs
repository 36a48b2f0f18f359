//! Staff-area types shared by the server and the browser.

use crate::accounts::model::Role;
use serde::{Deserialize, Serialize};

/// Who is using the staff area, and what their role lets them do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub registered_at: String,
    pub confirmed: bool,
    pub order_count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub is_active: bool,
}

/// Maintenance mode as the staff area shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceSetting {
    pub on: bool,
    pub message: String,
}
