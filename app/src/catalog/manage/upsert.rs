//! Products created or updated from outside the editor, by product slug and variant SKU:
//! the CSV import and the integration API. Rows are checked by themselves
//! (`CatalogRow::problems`) and against the store (`check_against_store`) before any is
//! written (`write`), all in the caller's transaction.

use crate::audit::{snapshot, Actor};
use crate::kernel::error::AppError;
use crate::kernel::money::store_currency;
use crate::kernel::sku::Sku;
use crate::kernel::slug::Slug;
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One variant and the product it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogRow {
    /// Upper case, as `Sku::parse` gives it.
    pub sku: String,
    pub product_slug: String,
    pub product_name: String,
    pub category_slug: String,
    /// `None` keeps a product's description (new products get none).
    pub description: Option<String>,
    pub price_minor: i64,
    /// `None` keeps a variant's stock (new variants start at 0).
    pub stock: Option<i32>,
    pub option_names: Vec<String>,
    pub option_values: Vec<String>,
    /// `None` keeps a variant's threshold (new variants get 5).
    pub low_stock_threshold: Option<i32>,
    /// `None` keeps a product's state (new products start as drafts).
    pub published: Option<bool>,
}

/// What is wrong with a row: the column (CSV) or field it concerns, and what is expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

impl Problem {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// "field: message", as the CSV import's report reads.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// What `write` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub created_products: usize,
    pub updated_products: usize,
    pub created_variants: usize,
    pub updated_variants: usize,
    /// Every product written, in slug order.
    pub product_ids: Vec<i64>,
}

fn printable(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

impl CatalogRow {
    /// What is wrong with the row by itself.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if Sku::parse(&self.sku).map(|sku| sku.as_str() != self.sku) != Ok(false) {
            problems.push(Problem::new(
                "sku",
                "use letters, digits and hyphens, up to 64",
            ));
        }
        if Slug::parse(&self.product_slug).is_err() {
            problems.push(Problem::new(
                "product_slug",
                "lowercase words joined by hyphens",
            ));
        }
        let name = self.product_name.trim();
        if !(1..=200).contains(&name.chars().count()) || !printable(name) {
            problems.push(Problem::new(
                "product_name",
                "1 to 200 printable characters",
            ));
        }
        if Slug::parse(&self.category_slug).is_err() {
            problems.push(Problem::new("category_slug", "a category's slug"));
        }
        if let Some(description) = &self.description {
            let control = |c: char| c.is_control() && c != '\n' && c != '\r' && c != '\t';
            if description.chars().count() > 20_000 || description.chars().any(control) {
                problems.push(Problem::new(
                    "description",
                    "up to 20,000 characters of text",
                ));
            }
        }
        if !(0..=100_000_000_000).contains(&self.price_minor) {
            problems.push(Problem::new("price", "0 to 1,000,000,000.00"));
        }
        if self
            .stock
            .is_some_and(|stock| !(0..=1_000_000).contains(&stock))
        {
            problems.push(Problem::new("stock", "a whole number from 0 to 1,000,000"));
        }
        if self
            .low_stock_threshold
            .is_some_and(|threshold| !(0..=1_000_000).contains(&threshold))
        {
            problems.push(Problem::new(
                "low_stock_threshold",
                "a whole number from 0 to 1,000,000",
            ));
        }
        let option_texts_fine = self
            .option_names
            .iter()
            .chain(&self.option_values)
            .all(|text| (1..=100).contains(&text.chars().count()) && printable(text));
        if self.option_names.len() != self.option_values.len()
            || self.option_names.len() > 3
            || !option_texts_fine
        {
            problems.push(Problem::new(
                "option_values",
                "one value (1 to 100 characters) per option name, at most 3",
            ));
        }
        problems
    }
}

/// Checks rows against the store and each other: the category exists, a SKU belongs to
/// no other product, a product keeps its option names, no two variants of a product have
/// the same options. Returns each wrong row's index with what is wrong; locks the
/// products named, so a concurrent writer waits.
pub async fn check_against_store(
    connection: &mut PgConnection,
    rows: &[CatalogRow],
) -> Result<Vec<(usize, Vec<Problem>)>, AppError> {
    let categories = category_ids(connection).await?;
    let slugs: Vec<&str> = rows.iter().map(|r| r.product_slug.as_str()).collect();
    let products: HashMap<String, Vec<String>> = sqlx::query_as::<_, (String, Vec<String>)>(
        "SELECT slug, option_names FROM products WHERE slug = ANY($1) ORDER BY id FOR UPDATE",
    )
    .bind(&slugs)
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .collect();
    let skus: Vec<&str> = rows.iter().map(|r| r.sku.as_str()).collect();
    let owners: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT v.sku, p.slug FROM product_variants v JOIN products p ON p.id = v.product_id
         WHERE v.sku = ANY($1)",
    )
    .bind(&skus)
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .collect();
    let mut first_of_product: HashMap<&str, &CatalogRow> = HashMap::new();
    let mut combinations: HashSet<(&str, Vec<String>)> = HashSet::new();
    let mut seen_skus: HashSet<&str> = HashSet::new();
    let mut errors = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let mut problems = Vec::new();
        if !seen_skus.insert(row.sku.as_str()) {
            problems.push(Problem::new("sku", format!("{} appears twice", row.sku)));
        }
        let options = row.option_values.iter().map(|v| v.to_lowercase()).collect();
        if !combinations.insert((row.product_slug.as_str(), options)) {
            problems.push(Problem::new(
                "option_values",
                "another variant of this product has the same options",
            ));
        }
        if !categories.contains_key(&row.category_slug) {
            problems.push(Problem::new(
                "category_slug",
                format!("there is no category {}", row.category_slug),
            ));
        }
        if let Some(owner) = owners
            .get(&row.sku)
            .filter(|owner| **owner != row.product_slug)
        {
            problems.push(Problem::new(
                "sku",
                format!("{} belongs to the product {owner}", row.sku),
            ));
        }
        let expected_names = products.get(&row.product_slug).cloned().unwrap_or_else(|| {
            first_of_product
                .get(row.product_slug.as_str())
                .map_or(row.option_names.clone(), |f| f.option_names.clone())
        });
        if expected_names != row.option_names {
            problems.push(Problem::new(
                "option_names",
                format!(
                    "the product's options are {}",
                    if expected_names.is_empty() {
                        "none".to_owned()
                    } else {
                        expected_names.join("|")
                    }
                ),
            ));
        }
        first_of_product
            .entry(row.product_slug.as_str())
            .or_insert(row);
        if !problems.is_empty() {
            errors.push((index, problems));
        }
    }
    Ok(errors)
}

async fn category_ids(connection: &mut PgConnection) -> Result<HashMap<String, i64>, AppError> {
    Ok(
        sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM categories")
            .fetch_all(&mut *connection)
            .await?
            .into_iter()
            .collect(),
    )
}

/// Writes rows `check_against_store` found right: products by slug (the first row of a
/// product gives its name, category, description and state), variants by SKU (stock
/// changes reach the stock ledger as `reason`). Each product touched sends
/// `product.updated` with `action`; the caller records the audit entry.
pub async fn write(
    connection: &mut PgConnection,
    actor: &Actor,
    action: &str,
    reason: (&str, &str),
    rows: &[CatalogRow],
) -> Result<Written, AppError> {
    let (reason_code, reason_label) = reason;
    crate::inventory::ledger::name_reason(
        &mut *connection,
        reason_code,
        reason_label,
        Some(actor.id),
        None,
    )
    .await?;
    let categories = category_ids(connection).await?;
    let currency = store_currency();
    let mut by_product: BTreeMap<&str, Vec<&CatalogRow>> = BTreeMap::new();
    for row in rows {
        by_product
            .entry(row.product_slug.as_str())
            .or_default()
            .push(row);
    }
    let mut written = Written::default();
    for (slug, variants) in by_product {
        let first = variants[0];
        let category_id = *categories
            .get(&first.category_slug)
            .ok_or_else(|| AppError::invalid("The category does not exist any more."))?;
        let (product_id, created): (i64, bool) = sqlx::query_as(
            "INSERT INTO products (category_id, slug, name, description, currency, option_names, is_published)
             VALUES ($1, $2, $3, coalesce($4, ''), $5, $6, coalesce($7, false))
             ON CONFLICT (slug) DO UPDATE SET category_id = $1, name = $3,
                 description = coalesce($4, products.description),
                 is_published = coalesce($7, products.is_published) AND products.archived_at IS NULL,
                 updated_at = now()
             RETURNING id, xmax = 0",
        )
        .bind(category_id)
        .bind(slug)
        .bind(first.product_name.trim())
        .bind(first.description.as_deref().map(str::trim))
        .bind(currency.as_str())
        .bind(&first.option_names)
        .bind(first.published)
        .fetch_one(&mut *connection)
        .await?;
        if created {
            written.created_products += 1;
        } else {
            written.updated_products += 1;
        }
        for (position, row) in variants.iter().enumerate() {
            let inserted: bool = sqlx::query_scalar(
                "INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock, low_stock_threshold, position)
                 VALUES ($1, $2, $3, $4, coalesce($5, 0), coalesce($6, 5), $7)
                 ON CONFLICT (sku) DO UPDATE SET option_values = $3, price_minor = $4,
                     stock = coalesce($5, product_variants.stock),
                     low_stock_threshold = coalesce($6, product_variants.low_stock_threshold)
                 RETURNING xmax = 0",
            )
            .bind(product_id)
            .bind(&row.sku)
            .bind(&row.option_values)
            .bind(row.price_minor)
            .bind(row.stock)
            .bind(row.low_stock_threshold)
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .fetch_one(&mut *connection)
            .await
            .map_err(|error| {
                tracing::warn!(%error, sku = %row.sku, "a variant was refused by the database");
                AppError::invalid(format!(
                    "The variant {} was refused: does another variant of {slug} have the same options?",
                    row.sku
                ))
            })?;
            if inserted {
                written.created_variants += 1;
            } else {
                written.updated_variants += 1;
            }
        }
        written.product_ids.push(product_id);
    }
    for product_id in &written.product_ids {
        let product = crate::catalog::manage::editor::load(&mut *connection, *product_id)
            .await?
            .ok_or(AppError::Internal)?;
        crate::webhooks::outbox::emit(
            &mut *connection,
            "product.updated",
            serde_json::json!({ "action": action, "product": snapshot(&product)? }),
        )
        .await?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> CatalogRow {
        CatalogRow {
            sku: "TEE-M".to_owned(),
            product_slug: "tee".to_owned(),
            product_name: "Tee".to_owned(),
            category_slug: "shirts".to_owned(),
            description: None,
            price_minor: 1999,
            stock: Some(3),
            option_names: vec!["Size".to_owned()],
            option_values: vec!["M".to_owned()],
            low_stock_threshold: None,
            published: None,
        }
    }

    #[test]
    fn a_well_formed_row_has_no_problems() {
        assert_eq!(row().problems(), Vec::<Problem>::new());
    }

    #[test]
    fn lower_case_skus_bad_slugs_control_characters_and_option_mismatches_are_problems() {
        type Spoil = fn(&mut CatalogRow);
        let cases: [(&str, Spoil); 7] = [
            ("sku", |r| r.sku = "tee-m".to_owned()),
            ("product_slug", |r| r.product_slug = "Tee Shirt".to_owned()),
            ("product_name", |r| r.product_name = "Tee\u{0}".to_owned()),
            ("price", |r| r.price_minor = -1),
            ("stock", |r| r.stock = Some(2_000_000)),
            ("option_values", |r| r.option_values.clear()),
            ("description", |r| r.description = Some("a\u{7}".to_owned())),
        ];
        for (field, spoil) in cases {
            let mut spoilt = row();
            spoil(&mut spoilt);
            let problems = spoilt.problems();
            assert_eq!(problems.len(), 1, "{field}: {problems:?}");
            assert!(
                problems[0].to_string().starts_with(field),
                "{field}: {problems:?}"
            );
        }
    }
}
