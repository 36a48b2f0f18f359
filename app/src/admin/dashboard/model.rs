//! Dashboard types shared by the server and the browser.

use crate::vitals::model::VitalsFigures;
use serde::{Deserialize, Serialize};

/// The dashboard's figures over the last 30 days (today included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub currency: String,
    pub days: Vec<DayFigures>,
    /// Paid orders' totals less refunds, in minor units.
    pub revenue_minor: i64,
    pub paid_orders: i64,
    /// Before refunds; 0 without orders.
    pub average_order_minor: i64,
    pub funnel: Vec<FunnelStep>,
    pub top_products: Vec<TopProduct>,
    pub low_stock_count: i64,
    /// Orders whose payment failed to capture, failed later or was disputed.
    pub payment_attention_count: i64,
    /// Page loads measured in shoppers' browsers.
    pub vitals: VitalsFigures,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub revenue_minor: i64,
    pub orders: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub label: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopProduct {
    pub name: String,
    pub units: i64,
    pub revenue_minor: i64,
}

/// `part` as a whole percentage of `whole` ("–" when `whole` is 0).
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".to_owned();
    }
    format!("{}%", (part * 100 + whole / 2) / whole)
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_round_to_whole_numbers_and_survive_zero() {
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(5, 0), "–");
    }
}
