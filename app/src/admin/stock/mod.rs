//! Stock: adjustments with a reason, the movement ledger behind them, low-stock
//! thresholds and the low-stock list.

pub mod api;
pub mod page;
