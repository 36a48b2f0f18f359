//! Catalog types shared by the server and the browser.

use crate::kernel::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
    pub alt_text: String,
}

/// A product as shown in a grid of results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The lowest price among the product's variants.
    pub from_price: Money,
    /// Whether variants differ in price (shown as "from $x").
    pub has_price_range: bool,
    /// What `from_price` sells for under an automatic promotion, when one applies.
    pub sale_price: Option<Money>,
    /// For catalog promotions on a category.
    pub category_id: i64,
    pub in_stock: bool,
    pub image: Option<Image>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub id: i64,
    pub sku: String,
    /// One value per entry of the product's `option_names`, in the same order.
    pub option_values: Vec<String>,
    pub price: Money,
    /// What it sells for under an automatic promotion, when one applies.
    pub sale_price: Option<Money>,
    pub stock: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub category_id: i64,
    pub description: String,
    /// From the top-level category down to the product's own.
    pub breadcrumbs: Vec<CategoryLink>,
    pub option_names: Vec<String>,
    pub variants: Vec<Variant>,
    pub images: Vec<Image>,
}

impl ProductDetail {
    /// The distinct values offered for one option, in the order variants list them.
    pub fn values_of_option(&self, option_index: usize) -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for variant in &self.variants {
            if let Some(value) = variant.option_values.get(option_index) {
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
        }
        values
    }

    /// The variant offered for exactly this combination of option values.
    pub fn variant_for(&self, selection: &[String]) -> Option<&Variant> {
        self.variants.iter().find(|v| v.option_values == selection)
    }

    /// What the picker starts with: the requested combination when it exists,
    /// otherwise the first variant in stock, otherwise the first variant.
    pub fn initial_selection(&self, requested: &[Option<String>]) -> Vec<String> {
        let fallback = self
            .variants
            .iter()
            .find(|v| v.stock > 0)
            .or_else(|| self.variants.first())
            .map(|v| v.option_values.clone())
            .unwrap_or_default();
        let merged: Vec<String> = fallback
            .iter()
            .enumerate()
            .map(|(i, default)| {
                requested
                    .get(i)
                    .cloned()
                    .flatten()
                    .filter(|value| self.values_of_option(i).contains(value))
                    .unwrap_or_else(|| default.clone())
            })
            .collect();
        merged
    }
}

/// One page of a longer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub number: u32,
    pub per_page: u32,
    pub total_items: u64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u32 {
        let pages = self.total_items.div_ceil(u64::from(self.per_page.max(1)));
        u32::try_from(pages).unwrap_or(u32::MAX)
    }

    /// True when the page asked for lies past the last one.
    pub fn is_past_the_end(&self) -> bool {
        self.items.is_empty() && self.number > 1 && self.number > self.total_pages()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryListing {
    pub category: CategoryLink,
    pub description: String,
    pub breadcrumbs: Vec<CategoryLink>,
    pub subcategories: Vec<CategoryLink>,
    pub products: Page<ProductCard>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeContent {
    pub featured: Vec<ProductCard>,
    pub new_arrivals: Vec<ProductCard>,
    pub departments: Vec<CategoryLink>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryFacet {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBandFacet {
    pub band: PriceBand,
    pub count: u64,
}

/// Counts shown beside each filter: how many results choosing it would give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Facets {
    pub categories: Vec<CategoryFacet>,
    pub price_bands: Vec<PriceBandFacet>,
    pub in_stock: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub products: Page<ProductCard>,
    pub facets: Facets,
}

/// A fixed price range offered as a search filter, in minor units; both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PriceBand {
    pub min_minor: i64,
    pub max_minor: Option<i64>,
}

pub const PRICE_BANDS: [PriceBand; 5] = [
    PriceBand {
        min_minor: 0,
        max_minor: Some(2_499),
    },
    PriceBand {
        min_minor: 2_500,
        max_minor: Some(4_999),
    },
    PriceBand {
        min_minor: 5_000,
        max_minor: Some(9_999),
    },
    PriceBand {
        min_minor: 10_000,
        max_minor: Some(19_999),
    },
    PriceBand {
        min_minor: 20_000,
        max_minor: None,
    },
];
