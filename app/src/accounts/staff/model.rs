//! Staff-account types shared by the server and the browser.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteForm {
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: String,
}
