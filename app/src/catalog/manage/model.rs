//! Staff catalog types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What the product list filters by; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFilter {
    /// Words of the name or description, or an exact SKU.
    #[serde(default)]
    pub search: String,
    /// A category id (with everything below it).
    #[serde(default)]
    pub category: String,
    /// "published", "draft" or "archived"; empty: everything but archived.
    #[serde(default)]
    pub status: String,
    /// Only products with an id below this: the next page.
    #[serde(default)]
    pub before_id: Option<i64>,
}

/// Which products the staff list shows, by their state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductStatusFilter {
    /// Everything but archived (the default).
    Active,
    Published,
    Draft,
    Archived,
    All,
}

impl ProductStatusFilter {
    /// The filter's value in the list's address; empty means `Active`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "" | "active" => Some(Self::Active),
            "published" => Some(Self::Published),
            "draft" => Some(Self::Draft),
            "archived" => Some(Self::Archived),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub category: String,
    pub status: ProductState,
    pub variants: i64,
    pub stock: i64,
    pub price: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductState {
    Published,
    Draft,
    Archived,
}

impl ProductState {
    pub fn label(self) -> &'static str {
        match self {
            ProductState::Published => "Published",
            ProductState::Draft => "Draft",
            ProductState::Archived => "Archived",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    pub rows: Vec<ProductRow>,
    pub next_before_id: Option<i64>,
}

/// A category for the editor's choice, with its place in the tree ("Clothing › Shirts").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChoice {
    pub id: i64,
    pub path: String,
}

/// The product editor's form. Text as typed; the server checks and converts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    /// Empty for a new product.
    #[serde(default)]
    pub id: String,
    /// The product's `updated_at` when the editor opened it: a save over someone else's
    /// newer change is refused instead of silently undoing it.
    #[serde(default)]
    pub version: String,
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub description: String,
    pub category_id: String,
    /// Packed weight, "1500" (grams) or "1.5 kg"; empty: none.
    #[serde(default)]
    pub weight: String,
    /// The product's own tax category (its id); empty: its category's.
    #[serde(default)]
    pub tax_category_id: String,
    /// "Size, Colour".
    #[serde(default)]
    pub option_names: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub featured: Option<String>,
    #[serde(default)]
    pub variants: Vec<VariantForm>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantForm {
    /// Empty for a new variant.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub sku: String,
    /// One value per option, in order: "M, Red".
    #[serde(default)]
    pub options: String,
    #[serde(default)]
    pub price: String,
    /// Opening stock of a new variant; existing stock changes through adjustments.
    #[serde(default)]
    pub stock: String,
    #[serde(default)]
    pub low_stock_threshold: String,
    #[serde(default)]
    pub remove: Option<String>,
}

impl VariantForm {
    /// Whether every field was left empty (the spare row of the editor).
    pub fn is_blank(&self) -> bool {
        self.id.trim().is_empty()
            && self.sku.trim().is_empty()
            && self.options.trim().is_empty()
            && self.price.trim().is_empty()
            && self.stock.trim().is_empty()
    }
}

/// A product as it is stored: what the audit log records before and after a change,
/// what the `product.updated` event carries and what the editor opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSnapshot {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category_id: i64,
    pub weight_grams: i32,
    pub tax_category_id: Option<i64>,
    pub option_names: Vec<String>,
    pub is_published: bool,
    pub is_featured: bool,
    pub archived: bool,
    pub currency: String,
    pub variants: Vec<VariantSnapshot>,
    pub images: Vec<ImageSnapshot>,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSnapshot {
    pub id: i64,
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub alt_text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSnapshot {
    pub id: i64,
    pub sku: String,
    pub option_values: Vec<String>,
    pub price_minor: i64,
    pub stock: i32,
    pub low_stock_threshold: i32,
}

/// What the editor needs: the product (none for a new one) and the categories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorData {
    pub product: Option<ProductSnapshot>,
    pub categories: Vec<CategoryChoice>,
    /// Tax categories (id, name) for the product's own.
    pub tax_categories: Vec<(i64, String)>,
}

/// The name trimmed and the address typed (or, when left empty, made from the name), each
/// checked: a name of 1 to `max_name` characters, a valid slug. Problems go to `errors`.
pub fn name_and_slug(
    name: &str,
    typed_slug: &str,
    max_name: usize,
    errors: &mut Vec<crate::kernel::error::FieldError>,
) -> (String, String) {
    use crate::kernel::error::FieldError;
    let name = name.trim().to_owned();
    if !(1..=max_name).contains(&name.chars().count()) {
        errors.push(FieldError::new(
            "name",
            format!("Enter a name of up to {max_name} characters."),
        ));
    }
    let slug = match typed_slug.trim() {
        "" => crate::kernel::slug::slug_from(&name),
        typed => typed.to_owned(),
    };
    if let Err(problem) = crate::kernel::slug::Slug::parse(&slug) {
        errors.push(FieldError::new("slug", problem.to_string()));
    }
    (name, slug)
}

#[cfg(test)]
mod tests {
    use crate::kernel::slug::slug_from;

    #[test]
    fn slugs_are_made_of_lowercase_words_joined_by_single_hyphens() {
        assert_eq!(slug_from("  Linen Shirt — Blue!  "), "linen-shirt-blue");
        assert_eq!(slug_from("Été 2026"), "t-2026");
        assert_eq!(slug_from("!!!"), "");
        assert!(slug_from(&"ab ".repeat(80)).len() <= 100);
        assert!(!slug_from(&"ab ".repeat(80)).ends_with('-'));
    }
}

/// The outcome of a CSV import: what changed, or, when any row is wrong, every wrong row
/// and nothing changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created_products: usize,
    pub updated_products: usize,
    pub created_variants: usize,
    pub updated_variants: usize,
    pub errors: Vec<RowError>,
}

impl ImportReport {
    pub fn imported(&self) -> bool {
        self.errors.is_empty() && self.rows > 0
    }
}

/// A wrong row: its line in the file (the header is line 1) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// The columns of the catalog CSV, in export order. Import needs the first six; the
/// others may be left out.
pub const CSV_COLUMNS: [&str; 10] = [
    "sku",
    "product_slug",
    "product_name",
    "category_slug",
    "price",
    "stock",
    "option_names",
    "option_values",
    "low_stock_threshold",
    "published",
];
