//! Stock types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// Why staff change stock by hand. Sales, cancellations, imports and opening stock are
/// recorded by the code that makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentReason {
    Received,
    Damaged,
    Correction,
    Returned,
}

impl AdjustmentReason {
    pub const ALL: [AdjustmentReason; 4] = [
        AdjustmentReason::Received,
        AdjustmentReason::Damaged,
        AdjustmentReason::Correction,
        AdjustmentReason::Returned,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentReason::Received => "received",
            AdjustmentReason::Damaged => "damaged",
            AdjustmentReason::Correction => "correction",
            AdjustmentReason::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AdjustmentReason::Received => "Received (adds)",
            AdjustmentReason::Damaged => "Damaged (removes)",
            AdjustmentReason::Correction => "Correction (either way)",
            AdjustmentReason::Returned => "Returned (adds)",
        }
    }

    /// Whether a change of this sign makes sense for the reason: goods received or
    /// returned add, damaged goods remove, a correction goes either way.
    pub fn allows(self, change: i32) -> Result<(), &'static str> {
        match self {
            _ if change == 0 => Err("Enter a change other than 0."),
            AdjustmentReason::Received | AdjustmentReason::Returned if change < 0 => {
                Err("Received and returned goods add stock: enter a positive number.")
            }
            AdjustmentReason::Damaged if change > 0 => {
                Err("Damaged goods remove stock: enter a negative number, e.g. -2.")
            }
            _ => Ok(()),
        }
    }
}

/// A staff adjustment as the form sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentForm {
    pub variant_id: i64,
    /// Signed: "+12", "12" or "-3".
    pub change: String,
    pub reason: String,
    #[serde(default)]
    pub note: String,
    /// Issued with the form, so a double click or a retry adjusts once.
    pub request_key: String,
}

/// A variant as the stock page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    pub variant_id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub sku: String,
    pub options: String,
    pub stock: i32,
    pub low_stock_threshold: i32,
}

/// One line of a variant's ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementRow {
    pub at: String,
    pub delta: i32,
    pub stock_after: i32,
    pub reason: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockOverview {
    /// Variants matching the search, or the low-stock list when there is no search.
    pub rows: Vec<StockRow>,
    pub low_stock_count: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantLedger {
    pub row: StockRow,
    pub movements: Vec<MovementRow>,
    /// A fresh key for the next adjustment or refund form: a double submit of one form
    /// sends the same key and is applied once.
    pub request_key: String,
}
