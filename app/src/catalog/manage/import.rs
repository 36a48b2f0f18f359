//! Importing the catalog from CSV (one row per variant; see `CSV_COLUMNS`). Every row is
//! checked first, against the file and the database; if any is wrong the report lists
//! each wrong row and nothing is written. Otherwise everything is written in one
//! transaction: products by slug and variants by SKU are created or updated, stock is
//! set to the file's figure (the ledger records the difference as `import`), one audit
//! record names the import and each product touched sends `product.updated`.

use crate::audit::{record, snapshot, Actor, Change};
use crate::catalog::manage::model::{ImportReport, RowError, CSV_COLUMNS};
use crate::kernel::error::AppError;
use crate::kernel::money::store_currency;
use crate::kernel::money::Money;
use crate::kernel::sku::Sku;
use crate::kernel::slug::Slug;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap, HashSet};

pub const MAX_IMPORT_ROWS: usize = 50_000;

/// One checked row.
#[derive(Clone, Debug)]
struct ImportRow {
    line: u64,
    sku: String,
    product_slug: String,
    product_name: String,
    category_slug: String,
    price_minor: i64,
    stock: i32,
    option_names: Vec<String>,
    option_values: Vec<String>,
    low_stock_threshold: Option<i32>,
    published: Option<bool>,
}

fn split_cell(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        Vec::new()
    } else {
        text.split('|').map(|v| v.trim().to_owned()).collect()
    }
}

/// Reads and checks the rows against the file alone.
fn read_rows(bytes: &[u8], report: &mut ImportReport) -> Vec<ImportRow> {
    // No text in the store can hold NUL: such a file is not a CSV export.
    if bytes.contains(&0) {
        report.errors.push(RowError {
            line: 1,
            message: "The file contains NUL characters: save it again as CSV text.".into(),
        });
        return Vec::new();
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(_) => {
            report.errors.push(RowError {
                line: 1,
                message: "The file is not readable CSV.".into(),
            });
            return Vec::new();
        }
    };
    let column: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    let missing: Vec<&str> = CSV_COLUMNS[..6]
        .iter()
        .copied()
        .filter(|c| !column.contains_key(c))
        .collect();
    if !missing.is_empty() {
        report.errors.push(RowError {
            line: 1,
            message: format!("The header row lacks: {}.", missing.join(", ")),
        });
        return Vec::new();
    }
    let currency = store_currency();
    let mut rows = Vec::new();
    let mut skus = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        if index >= MAX_IMPORT_ROWS {
            report.errors.push(RowError {
                line,
                message: format!("Import at most {MAX_IMPORT_ROWS} rows at a time."),
            });
            break;
        }
        report.rows += 1;
        let record = match record {
            Ok(record) => record,
            Err(_) => {
                report.errors.push(RowError {
                    line,
                    message: "This line is not readable CSV.".into(),
                });
                continue;
            }
        };
        let cell = |name: &str| {
            column
                .get(name)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        let mut problems = Vec::new();
        let sku = cell("sku").to_uppercase();
        if Sku::parse(&sku).is_err() {
            problems.push("sku: use letters, digits and hyphens, up to 64".to_owned());
        } else if !skus.insert(sku.clone()) {
            problems.push(format!("sku: {sku} appears twice in the file"));
        }
        let product_slug = cell("product_slug");
        if Slug::parse(&product_slug).is_err() {
            problems.push("product_slug: lowercase words joined by hyphens".to_owned());
        }
        let product_name = cell("product_name");
        if !(1..=200).contains(&product_name.chars().count()) {
            problems.push("product_name: 1 to 200 characters".to_owned());
        }
        let category_slug = cell("category_slug");
        let price_minor = Money::parse_major(&cell("price"), &currency)
            .map(|m| m.minor_units)
            .unwrap_or_else(|error| {
                problems.push(format!("price: {error}"));
                0
            });
        let stock = cell("stock")
            .parse::<i32>()
            .ok()
            .filter(|s| (0..=1_000_000).contains(s))
            .unwrap_or_else(|| {
                problems.push("stock: a whole number from 0 to 1,000,000".to_owned());
                0
            });
        let option_names = split_cell(&cell("option_names"));
        let option_values = split_cell(&cell("option_values"));
        if option_names.len() != option_values.len() || option_names.len() > 3 {
            problems.push(
                "option_values: one value per option name (at most 3), separated by |".to_owned(),
            );
        }
        let low_stock_threshold = match cell("low_stock_threshold").as_str() {
            "" => None,
            text => match text.parse::<i32>() {
                Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
                _ => {
                    problems
                        .push("low_stock_threshold: a whole number from 0 to 1,000,000".to_owned());
                    None
                }
            },
        };
        let published = match cell("published").to_lowercase().as_str() {
            "" => None,
            "yes" | "true" | "1" => Some(true),
            "no" | "false" | "0" => Some(false),
            _ => {
                problems.push("published: yes or no".to_owned());
                None
            }
        };
        if problems.is_empty() {
            rows.push(ImportRow {
                line,
                sku,
                product_slug,
                product_name,
                category_slug,
                price_minor,
                stock,
                option_names,
                option_values,
                low_stock_threshold,
                published,
            });
        } else {
            report.errors.push(RowError {
                line,
                message: problems.join("; "),
            });
        }
    }
    rows
}

/// Checks the CSV and, when every row is right, imports it (see the module documentation).
pub async fn import_csv(
    pool: &PgPool,
    actor: &Actor,
    bytes: &[u8],
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    let rows = read_rows(bytes, &mut report);
    if report.rows == 0 && report.errors.is_empty() {
        report.errors.push(RowError {
            line: 2,
            message: "The file has no rows.".into(),
        });
    }
    let mut tx = pool.begin().await?;
    // Against the database: categories, products and SKUs that exist.
    let categories: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM categories")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let slugs: Vec<String> = rows.iter().map(|r| r.product_slug.clone()).collect();
    let products: HashMap<String, (i64, Vec<String>)> =
        sqlx::query_as::<_, (String, i64, Vec<String>)>(
            "SELECT slug, id, option_names FROM products WHERE slug = ANY($1) FOR UPDATE",
        )
        .bind(&slugs)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(slug, id, names)| (slug, (id, names)))
        .collect();
    let skus: Vec<String> = rows.iter().map(|r| r.sku.clone()).collect();
    let owners: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT v.sku, p.slug FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ANY($1)",
    )
    .bind(&skus)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut first_of_product: HashMap<&str, &ImportRow> = HashMap::new();
    let mut combinations: HashSet<(&str, Vec<String>)> = HashSet::new();
    for row in &rows {
        let mut problems = Vec::new();
        let options = row.option_values.iter().map(|v| v.to_lowercase()).collect();
        if !combinations.insert((row.product_slug.as_str(), options)) {
            problems
                .push("option_values: another row of this product has the same options".to_owned());
        }
        if !categories.contains_key(&row.category_slug) {
            problems.push(format!(
                "category_slug: there is no category {}",
                row.category_slug
            ));
        }
        if let Some(owner) = owners
            .get(&row.sku)
            .filter(|owner| **owner != row.product_slug)
        {
            problems.push(format!("sku: {} belongs to the product {owner}", row.sku));
        }
        let expected_names = products
            .get(&row.product_slug)
            .map(|(_, names)| names.clone())
            .unwrap_or_else(|| {
                first_of_product
                    .get(row.product_slug.as_str())
                    .map_or(row.option_names.clone(), |f| f.option_names.clone())
            });
        if expected_names != row.option_names {
            problems.push(format!(
                "option_names: the product's options are {}",
                if expected_names.is_empty() {
                    "none".to_owned()
                } else {
                    expected_names.join("|")
                }
            ));
        }
        first_of_product
            .entry(row.product_slug.as_str())
            .or_insert(row);
        if !problems.is_empty() {
            report.errors.push(RowError {
                line: row.line,
                message: problems.join("; "),
            });
        }
    }
    if !report.errors.is_empty() {
        report.errors.sort_by_key(|e| e.line);
        return Ok(report);
    }

    crate::inventory::ledger::name_reason(&mut tx, "import", "CSV import", Some(actor.id), None)
        .await?;
    let currency = store_currency();
    let mut by_product: BTreeMap<&str, Vec<&ImportRow>> = BTreeMap::new();
    for row in &rows {
        by_product
            .entry(row.product_slug.as_str())
            .or_default()
            .push(row);
    }
    let mut touched = Vec::new();
    for (slug, variants) in by_product {
        let first = variants[0];
        let (product_id, created): (i64, bool) = sqlx::query_as(
            "INSERT INTO products (category_id, slug, name, currency, option_names, is_published)
             VALUES ($1, $2, $3, $4, $5, coalesce($6, false))
             ON CONFLICT (slug) DO UPDATE SET category_id = $1, name = $3,
                 is_published = coalesce($6, products.is_published) AND products.archived_at IS NULL,
                 updated_at = now()
             RETURNING id, xmax = 0",
        )
        .bind(categories[&first.category_slug])
        .bind(slug)
        .bind(&first.product_name)
        .bind(currency.as_str())
        .bind(&first.option_names)
        .bind(first.published)
        .fetch_one(&mut *tx)
        .await?;
        if created {
            report.created_products += 1;
        } else {
            report.updated_products += 1;
        }
        for (position, row) in variants.iter().enumerate() {
            let inserted: bool = sqlx::query_scalar(
                "INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock, low_stock_threshold, position)
                 VALUES ($1, $2, $3, $4, $5, coalesce($6, 5), $7)
                 ON CONFLICT (sku) DO UPDATE SET option_values = $3, price_minor = $4, stock = $5,
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
            .fetch_one(&mut *tx)
            .await
            .map_err(|error| {
                tracing::warn!(%error, sku = %row.sku, "import row refused by the database");
                AppError::invalid(format!("Line {}: the database refused this row (are two variants' options the same?).", row.line))
            })?;
            if inserted {
                report.created_variants += 1;
            } else {
                report.updated_variants += 1;
            }
        }
        touched.push(product_id);
    }
    for product_id in &touched {
        let product = crate::catalog::manage::editor::load(&mut tx, *product_id)
            .await?
            .ok_or(AppError::Internal)?;
        crate::webhooks::outbox::emit(
            &mut tx,
            "product.updated",
            serde_json::json!({ "action": "catalog.import", "product": snapshot(&product)? }),
        )
        .await?;
    }
    record(
        &mut tx,
        actor,
        Change {
            action: "catalog.import",
            entity_type: "product",
            entity_id: "import".to_owned(),
            before: None,
            after: Some(serde_json::json!({
                "rows": report.rows, "created_products": report.created_products,
                "updated_products": report.updated_products, "created_variants": report.created_variants,
                "updated_variants": report.updated_variants, "product_ids": touched,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// One page of the export: variants after `after_id`, as CSV lines (with the header
/// when `after_id` is 0). Returns the lines and the last id, or `None` at the end.
pub async fn export_page(
    pool: &PgPool,
    after_id: i64,
    limit: i64,
) -> Result<Option<(Vec<u8>, i64)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        sku: String,
        product_slug: String,
        product_name: String,
        category_slug: String,
        price_minor: i64,
        currency: String,
        stock: i32,
        option_names: Vec<String>,
        option_values: Vec<String>,
        low_stock_threshold: i32,
        is_published: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT v.id, v.sku, p.slug AS product_slug, p.name AS product_name, c.slug AS category_slug,
                v.price_minor, p.currency, v.stock, p.option_names, v.option_values, v.low_stock_threshold, p.is_published
         FROM product_variants v JOIN products p ON p.id = v.product_id JOIN categories c ON c.id = p.category_id
         WHERE v.id > $1 ORDER BY v.id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let Some(last) = rows.last().map(|r| r.id) else {
        return Ok(None);
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |error: csv::Error| {
        tracing::error!(%error, "writing the CSV export failed");
        AppError::Internal
    };
    if after_id == 0 {
        writer.write_record(CSV_COLUMNS).map_err(failed)?;
    }
    for r in rows {
        let currency = crate::kernel::money::CurrencyCode::parse(&r.currency)
            .map_err(|_| AppError::Internal)?;
        writer
            .write_record([
                r.sku,
                r.product_slug,
                r.product_name,
                r.category_slug,
                crate::kernel::money::major_units_text(r.price_minor, &currency),
                r.stock.to_string(),
                r.option_names.join("|"),
                r.option_values.join("|"),
                r.low_stock_threshold.to_string(),
                if r.is_published { "yes" } else { "no" }.to_owned(),
            ])
            .map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|_| AppError::Internal)?;
    Ok(Some((bytes, last)))
}

/// Keeps an import's report (whatever its outcome) for the import page; returns its id.
pub async fn keep_report(
    pool: &PgPool,
    actor: &Actor,
    report: &ImportReport,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO catalog_imports (actor_id, imported, report) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(actor.id)
    .bind(report.imported())
    .bind(snapshot(report)?)
    .fetch_one(pool)
    .await?)
}

/// A kept import report.
pub async fn report(pool: &PgPool, id: i64) -> Result<ImportReport, AppError> {
    let value: serde_json::Value =
        sqlx::query_scalar("SELECT report FROM catalog_imports WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such import."))?;
    serde_json::from_value(value).map_err(|error| {
        tracing::error!(%error, "an import report could not be read");
        AppError::Internal
    })
}
