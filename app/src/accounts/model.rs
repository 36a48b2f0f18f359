//! Account types shared by the server and the browser.

use crate::kernel::address::ShippingAddress;
use serde::{Deserialize, Serialize};

/// What a staff account may do. Each role includes everything of the roles before it:
/// staff run the catalog and orders, admins also customers and settings, owners also
/// staff accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "staff_role", rename_all = "lowercase")
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Staff, Role::Admin, Role::Owner];

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_lowercase().as_str() {
            "staff" => Ok(Role::Staff),
            "admin" => Ok(Role::Admin),
            "owner" => Ok(Role::Owner),
            _ => Err("Choose a role: staff, admin or owner.".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Whether this role may do what `required` may do.
    pub fn includes(self, required: Role) -> bool {
        self >= required
    }

    /// What the role allows, in words, for the staff area.
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            Role::Staff => &["Catalog and stock", "Orders"],
            Role::Admin => &["Catalog and stock", "Orders", "Customers", "Settings"],
            Role::Owner => &[
                "Catalog and stock",
                "Orders",
                "Customers",
                "Settings",
                "Staff accounts",
            ],
        }
    }
}

/// The `/account` page: who is logged in and what they ordered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    pub orders: Vec<OrderSummary>,
    pub saved_cards: Vec<SavedCard>,
}

/// A card the shopper saved at checkout, as they recognise it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCard {
    pub id: i64,
    pub brand: String,
    pub last4: String,
    /// `MM/YYYY`.
    pub expires: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub number: String,
    pub placed_at: String,
    pub status_label: String,
    pub total: String,
    pub item_count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAddress {
    pub id: i64,
    pub address: ShippingAddress,
    pub is_default: bool,
}

/// A customer as the staff area lists them.
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
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub is_active: bool,
    /// Logs in with a code from an authenticator app too.
    pub two_factor: bool,
    /// Devices where the account is logged in now.
    pub logins: i64,
}

/// A customer as staff see them: the account and its orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub row: CustomerRow,
    pub orders: Vec<OrderSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_roles_below_it_and_no_role_above() {
        assert!(Role::Owner.includes(Role::Admin));
        assert!(Role::Owner.includes(Role::Staff));
        assert!(Role::Admin.includes(Role::Staff));
        assert!(Role::Admin.includes(Role::Admin));
        assert!(!Role::Admin.includes(Role::Owner));
        assert!(!Role::Staff.includes(Role::Admin));
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse(" OWNER "), Ok(Role::Owner));
        assert!(Role::parse("root").is_err());
        assert!(Role::parse("").is_err());
    }
}
