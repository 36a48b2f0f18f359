//! Page loads as real visitors see them: the Core Web Vitals (LCP, INP, CLS, TTFB)
//! measured in shoppers' browsers, sent once per page load, validated, and tallied per
//! page type and day in fixed buckets. Storage is bounded (a count per bucket, 90 days)
//! and holds no address, session or page address; the staff dashboard reads the 75th
//! percentile for 7 and 30 days.

pub mod model;
#[cfg(feature = "hydrate")]
pub mod reporter;
#[cfg(feature = "ssr")]
pub mod tally;
