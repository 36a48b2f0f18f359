//! Promotion types shared by the server and the browser: the staff form as typed, what
//! the staff pages show, and the discounts a shopper sees by name.

use serde::{Deserialize, Serialize};

/// A promotion as typed on `/admin/promotions`: raw text, checked on the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionForm {
    pub name: String,
    /// `percent_off`, `amount_off`, `free_shipping` or `buy_x_get_y`.
    pub kind: String,
    /// Percentage off, "20" or "12.5" (percent off and "buy X get Y").
    #[serde(default)]
    pub percent: String,
    /// Amount off the order in major units, "10.00".
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub buy: String,
    #[serde(default)]
    pub get: String,
    /// Product slugs, separated by commas or spaces; empty with no categories: the order.
    #[serde(default)]
    pub products: String,
    /// Category slugs (their subcategories included), separated by commas or spaces.
    #[serde(default)]
    pub categories: String,
    #[serde(default)]
    pub min_subtotal: String,
    #[serde(default)]
    pub min_quantity: String,
    /// `2026-12-01T09:00` (a `datetime-local` input), UTC; empty: now.
    #[serde(default)]
    pub starts_at: String,
    /// Empty: runs until ended.
    #[serde(default)]
    pub ends_at: String,
    /// `automatic` or `code`.
    pub trigger: String,
    /// A ticked checkbox sends "on".
    #[serde(default)]
    pub combines: Option<String>,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub usage_limit: String,
    #[serde(default)]
    pub per_customer_limit: String,
}

/// Where a promotion is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionStatus {
    Scheduled,
    Active,
    Paused,
    Ended,
}

impl PromotionStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Scheduled => "Scheduled",
            Self::Active => "Active",
            Self::Paused => "Paused",
            Self::Ended => "Ended",
        }
    }

    /// For the badge's colour.
    pub fn css_class(self) -> &'static str {
        match self {
            Self::Scheduled => "badge draft",
            Self::Active => "badge success",
            Self::Paused => "badge badge-warning",
            Self::Ended => "badge archived",
        }
    }
}

/// One row of the promotions list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub id: i64,
    pub name: String,
    /// "20 % off Shoes", "Free shipping", "Buy 2 get 1 free".
    pub summary: String,
    pub status: PromotionStatus,
    /// "Automatic" or "3 codes".
    pub trigger: String,
    pub uses: i64,
    pub usage_limit: Option<i32>,
    /// Total of the orders that used it (not cancelled), formatted.
    pub revenue: String,
    /// What it took off those orders, formatted.
    pub discounted: String,
}

/// One code of a promotion, as its page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRow {
    pub code: String,
    pub uses: i64,
    pub max_uses: Option<i32>,
    pub batch: Option<String>,
}

/// A promotion's page: its form as saved, its status, codes and results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionDetail {
    pub row: PromotionRow,
    pub form: PromotionForm,
    /// The first codes (a generated batch can be thousands: those are exported).
    pub codes: Vec<CodeRow>,
    pub code_count: i64,
    /// Generated batches by name, with how many codes each holds.
    pub batches: Vec<(String, i64)>,
}

/// Adding one code by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeForm {
    pub promotion_id: i64,
    pub code: String,
    /// Empty: as often as the promotion allows.
    #[serde(default)]
    pub max_uses: String,
}

/// Generating a batch of unique single-use codes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBatchForm {
    pub promotion_id: i64,
    /// How many, 1 to 10,000.
    pub count: String,
    /// Letters and digits the codes start with, "XMAS".
    #[serde(default)]
    pub prefix: String,
}

/// A discount as the cart, the checkout and the receipt show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountLine {
    pub name: String,
    pub code: Option<String>,
    /// Formatted, "$4.00"; for free shipping in the cart, "Free shipping at checkout".
    pub amount: String,
    pub amount_minor: i64,
}

impl DiscountLine {
    /// As every list of discounts names it: "Spring sale (SPRING20)", or the name alone.
    pub fn label(&self) -> String {
        match &self.code {
            Some(code) => format!("{} ({code})", self.name),
            None => self.name.clone(),
        }
    }
}
