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
