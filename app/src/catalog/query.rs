//! Turning what arrives in a URL into valid catalog requests.
//!
//! Pages parse their query string here on the server and in the browser alike, so a
//! malformed parameter (`page=abc`, `price_min=xyz`, a 10 KB search) becomes a clear
//! notice and a sensible default instead of an error page.

use crate::catalog::model::PriceBand;
use crate::kernel::encoding::encode_query;
use crate::kernel::error::AppError;
use crate::kernel::money::{major_units_text, store_currency, Money};
use crate::kernel::slug::Slug;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 24;
pub const MAX_PAGE: u32 = 10_000;
pub const MAX_SEARCH_CHARS: usize = 200;
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SortOrder {
    /// Best text match first (search only; listings fall back to newest).
    #[default]
    Relevance,
    Newest,
    PriceLowToHigh,
    PriceHighToLow,
    Name,
}

impl SortOrder {
    pub const LISTING_CHOICES: [SortOrder; 4] = [
        SortOrder::Newest,
        SortOrder::PriceLowToHigh,
        SortOrder::PriceHighToLow,
        SortOrder::Name,
    ];
    pub const SEARCH_CHOICES: [SortOrder; 5] = [
        SortOrder::Relevance,
        SortOrder::Newest,
        SortOrder::PriceLowToHigh,
        SortOrder::PriceHighToLow,
        SortOrder::Name,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SortOrder::Relevance => "relevance",
            SortOrder::Newest => "newest",
            SortOrder::PriceLowToHigh => "price_asc",
            SortOrder::PriceHighToLow => "price_desc",
            SortOrder::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortOrder::Relevance => "Best match",
            SortOrder::Newest => "Newest",
            SortOrder::PriceLowToHigh => "Price: low to high",
            SortOrder::PriceHighToLow => "Price: high to low",
            SortOrder::Name => "Name: A to Z",
        }
    }

    fn from_key(key: &str, choices: &[SortOrder]) -> Option<SortOrder> {
        choices.iter().copied().find(|s| s.key() == key)
    }
}

/// A category listing request that is known to be valid.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListingRequest {
    pub category_slug: String,
    pub sort: SortOrder,
    pub page: u32,
}

/// A search request that is known to be valid.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct SearchRequest {
    pub text: String,
    pub category_slug: Option<String>,
    pub price_min_minor: Option<i64>,
    pub price_max_minor: Option<i64>,
    pub in_stock_only: bool,
    pub sort: SortOrder,
    pub page: u32,
}

impl ListingRequest {
    /// Checks a request that arrived over the wire (server functions are public endpoints).
    pub fn validate(&self) -> Result<(), AppError> {
        validate_slug(&self.category_slug)?;
        validate_page(self.page)?;
        if self.sort == SortOrder::Relevance {
            return Err(AppError::invalid(
                "Category listings cannot be sorted by relevance.",
            ));
        }
        Ok(())
    }
}

impl SearchRequest {
    pub fn validate(&self) -> Result<(), AppError> {
        if self.text.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::invalid(format!(
                "Search text is too long; use at most {MAX_SEARCH_CHARS} characters."
            )));
        }
        if let Some(slug) = &self.category_slug {
            validate_slug(slug)?;
        }
        validate_page(self.page)?;
        for bound in [self.price_min_minor, self.price_max_minor]
            .into_iter()
            .flatten()
        {
            if bound < 0 {
                return Err(AppError::invalid("Prices cannot be negative."));
            }
        }
        if let (Some(min), Some(max)) = (self.price_min_minor, self.price_max_minor) {
            if min > max {
                return Err(AppError::invalid(
                    "The lowest price must not be above the highest price.",
                ));
            }
        }
        Ok(())
    }

    pub fn with_price_band(&self, band: PriceBand) -> Self {
        Self {
            price_min_minor: Some(band.min_minor),
            price_max_minor: band.max_minor,
            page: 1,
            ..self.clone()
        }
    }

    /// The query string that leads back to this request (without defaults).
    pub fn to_query_string(&self) -> String {
        let currency = store_currency();
        let mut pairs: Vec<(&str, String)> = vec![("q", self.text.clone())];
        if let Some(slug) = &self.category_slug {
            pairs.push(("category", slug.clone()));
        }
        if let Some(min) = self.price_min_minor {
            pairs.push(("price_min", major_units_text(min, &currency)));
        }
        if let Some(max) = self.price_max_minor {
            pairs.push(("price_max", major_units_text(max, &currency)));
        }
        if self.in_stock_only {
            pairs.push(("in_stock", "1".to_owned()));
        }
        if self.sort != SortOrder::Relevance {
            pairs.push(("sort", self.sort.key().to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        encode_query(&pairs)
    }
}

fn validate_slug(slug: &str) -> Result<(), AppError> {
    Slug::parse(slug)
        .map(|_| ())
        .map_err(|_| AppError::not_found("There is no such page in this store."))
}

fn validate_page(page: u32) -> Result<(), AppError> {
    if (1..=MAX_PAGE).contains(&page) {
        Ok(())
    } else {
        Err(AppError::invalid(format!(
            "Page numbers go from 1 to {MAX_PAGE}."
        )))
    }
}

/// Reads the `page` parameter; anything but a whole number from 1 up gives page 1 and a notice.
fn parse_page(raw: Option<String>, notices: &mut Vec<String>) -> u32 {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return 1;
    };
    match raw.trim().parse::<u32>() {
        Ok(page) if (1..=MAX_PAGE).contains(&page) => page,
        _ => {
            notices.push(format!(
                "“{}” is not a page number (1 to {MAX_PAGE}); showing the first page.",
                shorten(&raw)
            ));
            1
        }
    }
}

fn parse_sort(
    raw: Option<String>,
    choices: &[SortOrder],
    default: SortOrder,
    notices: &mut Vec<String>,
) -> SortOrder {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return default;
    };
    SortOrder::from_key(&raw, choices).unwrap_or_else(|| {
        notices.push(format!(
            "“{}” is not a sort order we know; showing {}.",
            shorten(&raw),
            default.label().to_lowercase()
        ));
        default
    })
}

fn parse_price(raw: Option<String>, which: &str, notices: &mut Vec<String>) -> Option<i64> {
    let raw = raw.filter(|r| !r.trim().is_empty())?;
    match Money::parse_major(&raw, &store_currency()) {
        Ok(money) => Some(money.minor_units),
        Err(error) => {
            notices.push(format!("The {which} price was ignored: {error}."));
            None
        }
    }
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(30).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Builds a listing request from a category page URL, with notices for what was ignored.
pub fn listing_request_from_url(
    slug: &str,
    param: impl Fn(&str) -> Option<String>,
) -> (ListingRequest, Vec<String>) {
    let mut notices = Vec::new();
    let sort = parse_sort(
        param("sort"),
        &SortOrder::LISTING_CHOICES,
        SortOrder::Newest,
        &mut notices,
    );
    let page = parse_page(param("page"), &mut notices);
    (
        ListingRequest {
            category_slug: slug.to_owned(),
            sort,
            page,
        },
        notices,
    )
}

/// Builds a search request from a search page URL, with notices for what was ignored.
pub fn search_request_from_url(
    param: impl Fn(&str) -> Option<String>,
) -> (SearchRequest, Vec<String>) {
    let mut notices = Vec::new();
    let mut text = param("q").unwrap_or_default().trim().to_owned();
    if text.chars().count() > MAX_SEARCH_CHARS {
        notices.push(format!(
            "Your search was too long, so only its first {MAX_SEARCH_CHARS} characters were used."
        ));
        text = text
            .chars()
            .take(MAX_SEARCH_CHARS)
            .collect::<String>()
            .trim()
            .to_owned();
    }
    let category_slug = match param("category").filter(|c| !c.is_empty()) {
        Some(slug) if Slug::parse(&slug).is_ok() => Some(slug),
        Some(slug) => {
            notices.push(format!(
                "There is no category “{}”; searching all categories.",
                shorten(&slug)
            ));
            None
        }
        None => None,
    };
    let mut price_min_minor = parse_price(param("price_min"), "lowest", &mut notices);
    let mut price_max_minor = parse_price(param("price_max"), "highest", &mut notices);
    if let (Some(min), Some(max)) = (price_min_minor, price_max_minor) {
        if min > max {
            notices.push(
                "The lowest price was above the highest, so the two were swapped.".to_owned(),
            );
            (price_min_minor, price_max_minor) = (Some(max), Some(min));
        }
    }
    let in_stock_only = matches!(param("in_stock").as_deref(), Some("1" | "true" | "on"));
    let sort = parse_sort(
        param("sort"),
        &SortOrder::SEARCH_CHOICES,
        SortOrder::Relevance,
        &mut notices,
    );
    let page = parse_page(param("page"), &mut notices);
    (
        SearchRequest {
            text,
            category_slug,
            price_min_minor,
            price_max_minor,
            in_stock_only,
            sort,
            page,
        },
        notices,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn params(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| map.get(key).cloned()
    }

    #[test]
    fn malformed_page_numbers_fall_back_to_the_first_page_with_a_notice() {
        for bad in ["-1", "abc", "0", "99999999999", "1.5"] {
            let (request, notices) = listing_request_from_url("shoes", params(&[("page", bad)]));
            assert_eq!(request.page, 1, "page={bad}");
            assert_eq!(notices.len(), 1, "page={bad}");
            assert!(notices[0].contains("not a page number"));
        }
        let (request, notices) = listing_request_from_url("shoes", params(&[("page", "3")]));
        assert_eq!((request.page, notices.len()), (3, 0));
    }

    #[test]
    fn unknown_sort_keys_fall_back_to_the_default() {
        let (request, notices) =
            listing_request_from_url("shoes", params(&[("sort", "drop table")]));
        assert_eq!(request.sort, SortOrder::Newest);
        assert_eq!(notices.len(), 1);
        let (request, _) = listing_request_from_url("shoes", params(&[("sort", "price_desc")]));
        assert_eq!(request.sort, SortOrder::PriceHighToLow);
        let (request, notices) =
            listing_request_from_url("shoes", params(&[("sort", "relevance")]));
        assert_eq!((request.sort, notices.len()), (SortOrder::Newest, 1));
    }

    #[test]
    fn bad_prices_are_ignored_with_a_notice_and_good_ones_become_minor_units() {
        let (request, notices) = search_request_from_url(params(&[
            ("q", "shirt"),
            ("price_min", "xyz"),
            ("price_max", "49.99"),
        ]));
        assert_eq!(request.price_min_minor, None);
        assert_eq!(request.price_max_minor, Some(4999));
        assert_eq!(notices.len(), 1);
        assert!(notices[0].contains("lowest"));
    }

    #[test]
    fn reversed_price_bounds_are_swapped() {
        let (request, notices) =
            search_request_from_url(params(&[("price_min", "50"), ("price_max", "10")]));
        assert_eq!(
            (request.price_min_minor, request.price_max_minor),
            (Some(1000), Some(5000))
        );
        assert_eq!(notices.len(), 1);
        assert!(request.validate().is_ok());
    }

    #[test]
    fn overly_long_search_text_is_cut_with_a_notice() {
        let long = "a".repeat(10 * 1024);
        let (request, notices) = search_request_from_url(params(&[("q", &long)]));
        assert_eq!(request.text.chars().count(), MAX_SEARCH_CHARS);
        assert_eq!(notices.len(), 1);
        assert!(request.validate().is_ok());
    }

    #[test]
    fn server_side_validation_refuses_what_the_url_parser_would_never_produce() {
        let too_long = SearchRequest {
            text: "x".repeat(MAX_SEARCH_CHARS + 1),
            page: 1,
            ..Default::default()
        };
        assert!(matches!(
            too_long.validate(),
            Err(AppError::InvalidInput(_))
        ));
        let page_zero = SearchRequest {
            page: 0,
            ..Default::default()
        };
        assert!(matches!(
            page_zero.validate(),
            Err(AppError::InvalidInput(_))
        ));
        let negative = SearchRequest {
            page: 1,
            price_min_minor: Some(-1),
            ..Default::default()
        };
        assert!(matches!(
            negative.validate(),
            Err(AppError::InvalidInput(_))
        ));
        let bad_slug = ListingRequest {
            category_slug: "../etc".into(),
            sort: SortOrder::Newest,
            page: 1,
        };
        assert!(matches!(bad_slug.validate(), Err(AppError::NotFound(_))));
    }

    #[test]
    fn query_strings_round_trip_through_the_parser() {
        let (request, _) = search_request_from_url(params(&[
            ("q", "blue & <shirt>"),
            ("category", "tops"),
            ("price_min", "10"),
            ("in_stock", "1"),
            ("sort", "name"),
            ("page", "2"),
        ]));
        let query = request.to_query_string();
        assert!(query.contains("q=blue+%26+%3Cshirt%3E"));
        assert!(query.contains("price_min=10.00"));
        assert!(
            query.contains("sort=name") && query.contains("page=2") && query.contains("in_stock=1")
        );
    }
}
