//! Orders as staff see and act on them: the filtered list, the detail with its timeline,
//! and the actions (mark paid, fulfil, cancel, refund).

pub mod model;

#[cfg(feature = "ssr")]
mod actions;
#[cfg(feature = "ssr")]
mod payment_actions;
#[cfg(feature = "ssr")]
pub use actions::*;
#[cfg(feature = "ssr")]
pub use payment_actions::{
    flag_payment_attention, flag_payment_attention_in, payment_attention_count, retry_capture,
};
