//! Page types, metrics, their buckets and thresholds, and the beacon a browser sends:
//! shared by the reporter in the browser, the server that validates and tallies, and the
//! dashboard that shows the result.

use serde::{Deserialize, Serialize};

/// The kind of storefront page a visit landed on: the unit the dashboard reports by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PageType {
    Home,
    Category,
    Search,
    Product,
    Cart,
    Checkout,
    Account,
    Order,
    Other,
}

impl PageType {
    pub const ALL: [PageType; 9] = [
        PageType::Home,
        PageType::Category,
        PageType::Search,
        PageType::Product,
        PageType::Cart,
        PageType::Checkout,
        PageType::Account,
        PageType::Order,
        PageType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PageType::Home => "home",
            PageType::Category => "category",
            PageType::Search => "search",
            PageType::Product => "product",
            PageType::Cart => "cart",
            PageType::Checkout => "checkout",
            PageType::Account => "account",
            PageType::Order => "order",
            PageType::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PageType::Home => "Home",
            PageType::Category => "Category",
            PageType::Search => "Search",
            PageType::Product => "Product",
            PageType::Cart => "Cart",
            PageType::Checkout => "Checkout",
            PageType::Account => "Account",
            PageType::Order => "Order status",
            PageType::Other => "Other pages",
        }
    }

    pub fn parse(text: &str) -> Option<PageType> {
        PageType::ALL.into_iter().find(|page| page.as_str() == text)
    }

    /// The page type of a storefront path; `None` for the staff area, whose page loads
    /// are not the shoppers' experience.
    pub fn of_path(path: &str) -> Option<PageType> {
        let first = path.trim_start_matches('/').split(['/', '?', '#']).next();
        Some(match first.unwrap_or("") {
            "" => PageType::Home,
            "category" => PageType::Category,
            "search" => PageType::Search,
            "product" => PageType::Product,
            "cart" => PageType::Cart,
            "checkout" => PageType::Checkout,
            "account" => PageType::Account,
            "order" | "order-status" => PageType::Order,
            "admin" => return None,
            _ => PageType::Other,
        })
    }
}

/// Upper bounds (milliseconds) of the buckets a page-load time is counted in. The
/// "good" and "poor" thresholds of every time metric are bounds, so a 75th percentile
/// read from the buckets is rated exactly.
const TIME_BOUNDS_MS: [u32; 29] = [
    25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1200, 1500, 1800, 2000, 2500,
    3000, 3500, 4000, 5000, 6000, 8000, 10_000, 15_000, 20_000, 30_000, 60_000,
];

/// Upper bounds (thousandths of a layout-shift score) of the CLS buckets.
const SHIFT_BOUNDS: [u32; 17] = [
    0, 10, 25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 5000,
];

/// The four Core Web Vitals. Times are whole milliseconds; CLS is counted in thousandths
/// of its score, so every stored value is an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// Largest contentful paint: when the page's main content appeared.
    Lcp,
    /// Interaction to next paint: how long the page took to answer a tap or key.
    Inp,
    /// Cumulative layout shift: how much the content jumped while loading.
    Cls,
    /// Time to first byte: how long the server took to start answering.
    Ttfb,
}

/// How a value compares with the thresholds Google publishes for each metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rating {
    Good,
    NeedsImprovement,
    Poor,
}

impl Rating {
    pub fn label(self) -> &'static str {
        match self {
            Rating::Good => "Good",
            Rating::NeedsImprovement => "Needs improvement",
            Rating::Poor => "Poor",
        }
    }

    pub fn css_class(self) -> &'static str {
        match self {
            Rating::Good => "rating rating-good",
            Rating::NeedsImprovement => "rating rating-fair",
            Rating::Poor => "rating rating-poor",
        }
    }
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::Lcp, Metric::Inp, Metric::Cls, Metric::Ttfb];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Lcp => "lcp",
            Metric::Inp => "inp",
            Metric::Cls => "cls",
            Metric::Ttfb => "ttfb",
        }
    }

    pub fn parse(text: &str) -> Option<Metric> {
        Metric::ALL
            .into_iter()
            .find(|metric| metric.as_str() == text)
    }

    /// Short name, as the dashboard's column heads show it.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Metric::Lcp => "LCP",
            Metric::Inp => "INP",
            Metric::Cls => "CLS",
            Metric::Ttfb => "TTFB",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Metric::Lcp => "Largest contentful paint: when the main content appeared",
            Metric::Inp => "Interaction to next paint: how fast the page answered taps",
            Metric::Cls => "Cumulative layout shift: how much content jumped",
            Metric::Ttfb => "Time to first byte: how fast the server started answering",
        }
    }

    /// The largest value accepted from a browser (10 minutes, or a shift score of 100);
    /// anything larger is a broken or forged beacon.
    pub fn largest_accepted(self) -> u32 {
        match self {
            Metric::Cls => 100_000,
            _ => 600_000,
        }
    }

    /// Values up to this are "good" (LCP 2.5 s, INP 200 ms, CLS 0.1, TTFB 0.8 s).
    pub fn good_up_to(self) -> u32 {
        match self {
            Metric::Lcp => 2500,
            Metric::Inp => 200,
            Metric::Cls => 100,
            Metric::Ttfb => 800,
        }
    }

    /// Values above this are "poor" (LCP 4 s, INP 500 ms, CLS 0.25, TTFB 1.8 s).
    pub fn poor_above(self) -> u32 {
        match self {
            Metric::Lcp => 4000,
            Metric::Inp => 500,
            Metric::Cls => 250,
            Metric::Ttfb => 1800,
        }
    }

    pub fn rating(self, value: u32) -> Rating {
        if value <= self.good_up_to() {
            Rating::Good
        } else if value <= self.poor_above() {
            Rating::NeedsImprovement
        } else {
            Rating::Poor
        }
    }

    /// Upper bounds of this metric's buckets; values above the last share one more bucket.
    pub fn bucket_bounds(self) -> &'static [u32] {
        match self {
            Metric::Cls => &SHIFT_BOUNDS,
            _ => &TIME_BOUNDS_MS,
        }
    }

    /// The bucket a value is counted in: the first whose upper bound holds it.
    pub fn bucket_of(self, value: u32) -> u8 {
        let bounds = self.bucket_bounds();
        // At most 30 buckets: the index always fits.
        bounds.partition_point(|bound| *bound < value) as u8
    }

    /// A value as people read it: "1.2 s", "180 ms", "0.05".
    pub fn format(self, value: u32) -> String {
        match self {
            Metric::Cls => format!("{}.{:03}", value / 1000, value % 1000)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_owned(),
            _ if value >= 1000 => {
                let tenths = (value + 50) / 100;
                format!("{}.{} s", tenths / 10, tenths % 10)
            }
            _ => format!("{value} ms"),
        }
    }

    /// A browser's reading (milliseconds, or the CLS score) as the integer we keep, or
    /// `None` when it is not a finite value in range.
    pub fn whole_value(self, reading: f64) -> Option<u32> {
        let scaled = match self {
            Metric::Cls => reading * 1000.0,
            _ => reading,
        };
        (scaled.is_finite() && scaled >= 0.0 && scaled <= f64::from(self.largest_accepted()))
            .then(|| scaled.round() as u32)
    }
}

/// The 75th percentile of a metric, as far as its buckets tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Percentile {
    /// At most this value (the upper bound of the bucket it falls in).
    AtMost(u32),
    /// Above the largest bucket bound.
    Above(u32),
}

impl Percentile {
    /// The 75th percentile of the counts per bucket (`counts[i]` values in bucket `i`), or
    /// `None` without samples.
    pub fn p75(metric: Metric, counts: &[i64]) -> Option<Percentile> {
        let total: i64 = counts.iter().sum();
        if total <= 0 {
            return None;
        }
        // The smallest bucket holding at least three quarters of the samples.
        let needed = (total * 3 + 3) / 4;
        let bounds = metric.bucket_bounds();
        let mut seen = 0;
        for (bucket, count) in counts.iter().enumerate() {
            seen += count;
            if seen >= needed {
                return Some(match bounds.get(bucket) {
                    Some(bound) => Percentile::AtMost(*bound),
                    None => Percentile::Above(bounds[bounds.len() - 1]),
                });
            }
        }
        None
    }

    pub fn rating(self, metric: Metric) -> Rating {
        match self {
            Percentile::AtMost(value) => metric.rating(value),
            Percentile::Above(_) => Rating::Poor,
        }
    }

    pub fn format(self, metric: Metric) -> String {
        match self {
            Percentile::AtMost(value) => metric.format(value),
            Percentile::Above(value) => format!("over {}", metric.format(value)),
        }
    }
}

/// The 75th percentile of one metric on one page type over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricFigure {
    pub metric: Metric,
    pub p75: Option<Percentile>,
    pub samples: i64,
}

/// One page type's figures over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFigures {
    pub page: PageType,
    pub metrics: Vec<MetricFigure>,
}

/// What the dashboard shows: the figures of the last 7 and the last 30 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VitalsFigures {
    pub last_7_days: Vec<PageFigures>,
    pub last_30_days: Vec<PageFigures>,
}

/// What one page load measured: the page type it landed on and each metric the browser
/// could measure (INP only after an interaction, for example).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beacon {
    pub page: PageType,
    pub values: Vec<(Metric, u32)>,
}

/// Where browsers send their beacons.
pub const BEACON_PATH: &str = "/api/vitals";

/// The largest beacon body accepted: a handful of numbers fit in far less.
pub const MAX_BEACON_BYTES: usize = 512;

impl Beacon {
    /// The JSON a browser sends: `{"page":"product","lcp":1234,"cls":0.012}`, times in
    /// milliseconds and CLS as its score.
    pub fn to_json(&self) -> String {
        let mut json = format!("{{\"page\":\"{}\"", self.page.as_str());
        for (metric, value) in &self.values {
            let shown = match metric {
                Metric::Cls => format!("{}.{:03}", value / 1000, value % 1000),
                _ => value.to_string(),
            };
            json.push_str(&format!(",\"{}\":{shown}", metric.as_str()));
        }
        json.push('}');
        json
    }
}

#[cfg(feature = "ssr")]
mod parse {
    use super::{Beacon, Metric, PageType, MAX_BEACON_BYTES};
    use crate::kernel::error::AppError;

    fn refuse(message: impl Into<String>) -> AppError {
        AppError::InvalidInput(message.into())
    }

    impl Beacon {
        /// Reads and checks a beacon's body; every refusal names what is wrong.
        pub fn parse(body: &[u8]) -> Result<Beacon, AppError> {
            if body.len() > MAX_BEACON_BYTES {
                return Err(refuse(format!(
                    "A page-load beacon is at most {MAX_BEACON_BYTES} bytes."
                )));
            }
            let fields: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(body)
                    .map_err(|error| refuse(format!("A beacon is a JSON object ({error}).")))?;
            let mut page = None;
            let mut values = Vec::new();
            for (name, value) in &fields {
                if name == "page" {
                    page = value.as_str().and_then(PageType::parse);
                    if page.is_none() {
                        return Err(refuse(format!(
                            "\"page\" must be one of: {}.",
                            PageType::ALL.map(PageType::as_str).join(", ")
                        )));
                    }
                    continue;
                }
                let metric = Metric::parse(name).ok_or_else(|| {
                    refuse(format!(
                        "\"{name}\" is not part of a beacon: send page, lcp, inp, cls and ttfb."
                    ))
                })?;
                let whole = value
                    .as_f64()
                    .and_then(|reading| metric.whole_value(reading));
                let value = whole.ok_or_else(|| {
                    refuse(match metric {
                        Metric::Cls => "\"cls\" must be a score between 0 and 100.".to_owned(),
                        _ => format!(
                            "\"{}\" must be a number of milliseconds between 0 and {}.",
                            metric.as_str(),
                            metric.largest_accepted()
                        ),
                    })
                })?;
                values.push((metric, value));
            }
            let page = page.ok_or_else(|| refuse("A beacon names its \"page\"."))?;
            if values.is_empty() {
                return Err(refuse(
                    "A beacon carries at least one of lcp, inp, cls and ttfb.",
                ));
            }
            values.sort();
            Ok(Beacon { page, values })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Metric, PageType, Percentile, Rating};

    #[test]
    fn storefront_paths_map_to_page_types_and_the_staff_area_to_none() {
        assert_eq!(PageType::of_path("/"), Some(PageType::Home));
        assert_eq!(
            PageType::of_path("/product/navy-tee"),
            Some(PageType::Product)
        );
        assert_eq!(
            PageType::of_path("/category/shirts"),
            Some(PageType::Category)
        );
        assert_eq!(PageType::of_path("/search?q=tee"), Some(PageType::Search));
        assert_eq!(PageType::of_path("/order-status"), Some(PageType::Order));
        assert_eq!(PageType::of_path("/account/login"), Some(PageType::Account));
        assert_eq!(PageType::of_path("/nowhere"), Some(PageType::Other));
        assert_eq!(PageType::of_path("/admin/orders"), None);
    }

    #[test]
    fn thresholds_are_bucket_bounds_so_ratings_from_buckets_are_exact() {
        for metric in Metric::ALL {
            let bounds = metric.bucket_bounds();
            assert!(bounds.contains(&metric.good_up_to()), "{metric:?}");
            assert!(bounds.contains(&metric.poor_above()), "{metric:?}");
            assert!(
                bounds.windows(2).all(|pair| pair[0] < pair[1]),
                "{metric:?}"
            );
        }
        assert_eq!(Metric::Lcp.rating(2500), Rating::Good);
        assert_eq!(Metric::Lcp.rating(2501), Rating::NeedsImprovement);
        assert_eq!(Metric::Lcp.rating(4001), Rating::Poor);
    }

    #[test]
    fn values_fall_in_the_first_bucket_whose_bound_holds_them() {
        assert_eq!(Metric::Lcp.bucket_of(0), 0);
        assert_eq!(Metric::Lcp.bucket_of(25), 0);
        assert_eq!(Metric::Lcp.bucket_of(26), 1);
        let last = Metric::Lcp.bucket_bounds().len() as u8;
        assert_eq!(Metric::Lcp.bucket_of(60_001), last);
        assert_eq!(Metric::Cls.bucket_of(0), 0);
        assert_eq!(Metric::Cls.bucket_of(1), 1);
    }

    #[test]
    fn p75_is_the_bound_of_the_bucket_holding_three_quarters_of_samples() {
        let mut counts = vec![0_i64; 30];
        counts[Metric::Lcp.bucket_of(900) as usize] = 3;
        counts[Metric::Lcp.bucket_of(3000) as usize] = 1;
        assert_eq!(
            Percentile::p75(Metric::Lcp, &counts),
            Some(Percentile::AtMost(1000))
        );
        counts[Metric::Lcp.bucket_of(3000) as usize] = 2;
        assert_eq!(
            Percentile::p75(Metric::Lcp, &counts),
            Some(Percentile::AtMost(3000))
        );
        counts[29] = 100;
        assert_eq!(
            Percentile::p75(Metric::Lcp, &counts).map(|p| p.rating(Metric::Lcp)),
            Some(Rating::Poor)
        );
        assert_eq!(Percentile::p75(Metric::Lcp, &[0, 0]), None);
    }

    #[test]
    fn readings_become_whole_milliseconds_or_thousandths_and_bad_ones_are_refused() {
        assert_eq!(Metric::Lcp.whole_value(1234.6), Some(1235));
        assert_eq!(Metric::Cls.whole_value(0.0124), Some(12));
        assert_eq!(Metric::Lcp.whole_value(-1.0), None);
        assert_eq!(Metric::Lcp.whole_value(f64::NAN), None);
        assert_eq!(Metric::Lcp.whole_value(f64::INFINITY), None);
        assert_eq!(Metric::Inp.whole_value(600_001.0), None);
        assert_eq!(Metric::Cls.whole_value(100.5), None);
    }

    #[test]
    fn values_read_as_people_write_them() {
        assert_eq!(Metric::Lcp.format(2500), "2.5 s");
        assert_eq!(Metric::Inp.format(180), "180 ms");
        assert_eq!(Metric::Cls.format(100), "0.1");
        assert_eq!(Metric::Cls.format(0), "0");
        assert_eq!(Percentile::Above(60_000).format(Metric::Lcp), "over 60.0 s");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod beacon_tests {
    use super::{Beacon, Metric, PageType};

    #[test]
    fn a_beacon_survives_the_trip_from_browser_to_server() {
        let sent = Beacon {
            page: PageType::Product,
            values: vec![(Metric::Lcp, 1234), (Metric::Cls, 12), (Metric::Ttfb, 80)],
        };
        assert_eq!(Beacon::parse(sent.to_json().as_bytes()), Ok(sent));
    }

    #[test]
    fn bad_beacons_are_refused_with_a_reason() {
        for body in [
            "",
            "{}",
            "not json",
            r#"{"page":"product"}"#,
            r#"{"page":"admin","lcp":10}"#,
            r#"{"page":"product","lcp":"fast"}"#,
            r#"{"page":"product","lcp":-5}"#,
            r#"{"page":"product","lcp":1e308}"#,
            r#"{"page":"product","cls":1000}"#,
            r#"{"page":"product","lcp":10,"ip":"1.2.3.4"}"#,
            r#"{"page":"pro\u0000duct","lcp":10}"#,
        ] {
            assert!(Beacon::parse(body.as_bytes()).is_err(), "{body}");
        }
        assert!(Beacon::parse(&[b' '; 600]).is_err());
        assert!(Beacon::parse(&[0xff, 0xfe, b'{']).is_err());
    }
}
