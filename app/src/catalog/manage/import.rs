//! Importing the catalog from CSV (one row per variant; see `CSV_COLUMNS`). Every row is
//! checked first, against the file and the database; if any is wrong the report lists
//! each wrong row and nothing is written. Otherwise everything is written in one
//! transaction: products by slug and variants by SKU are created or updated, stock is
//! set to the file's figure (the ledger records the difference as `import`), one audit
//! record names the import and each product touched sends `product.updated`.

use crate::audit::{record, snapshot, Actor, Change};
use crate::catalog::manage::model::{ImportReport, RowError, CSV_COLUMNS};
use crate::catalog::manage::upsert::{self, CatalogRow};
use crate::kernel::error::AppError;
use crate::kernel::money::store_currency;
use crate::kernel::money::Money;
use sqlx::PgPool;
use std::collections::HashMap;

pub const MAX_IMPORT_ROWS: usize = 50_000;

fn split_cell(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        Vec::new()
    } else {
        text.split('|').map(|v| v.trim().to_owned()).collect()
    }
}

/// Reads and checks the rows against the file alone; each right row with its line.
fn read_rows(bytes: &[u8], report: &mut ImportReport) -> Vec<(u64, CatalogRow)> {
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
        let price_minor = Money::parse_major(&cell("price"), &currency)
            .map(|m| m.minor_units)
            .unwrap_or_else(|error| {
                problems.push(format!("price: {error}"));
                0
            });
        let stock = cell("stock").parse::<i32>().unwrap_or_else(|_| {
            problems.push("stock: a whole number from 0 to 1,000,000".to_owned());
            0
        });
        let low_stock_threshold = match cell("low_stock_threshold").as_str() {
            "" => None,
            text => Some(text.parse::<i32>().unwrap_or(-1)),
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
        let row = CatalogRow {
            sku: cell("sku").to_uppercase(),
            product_slug: cell("product_slug"),
            product_name: cell("product_name"),
            category_slug: cell("category_slug"),
            description: None,
            price_minor,
            stock: Some(stock),
            option_names: split_cell(&cell("option_names")),
            option_values: split_cell(&cell("option_values")),
            low_stock_threshold,
            published,
        };
        problems.extend(row.problems().iter().map(ToString::to_string));
        if problems.is_empty() {
            rows.push((line, row));
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
    let (lines, rows): (Vec<u64>, Vec<CatalogRow>) =
        read_rows(bytes, &mut report).into_iter().unzip();
    if report.rows == 0 && report.errors.is_empty() {
        report.errors.push(RowError {
            line: 2,
            message: "The file has no rows.".into(),
        });
    }
    let mut tx = pool.begin().await?;
    for (index, problems) in upsert::check_against_store(&mut tx, &rows).await? {
        let message: Vec<String> = problems.iter().map(ToString::to_string).collect();
        report.errors.push(RowError {
            line: lines[index],
            message: message.join("; "),
        });
    }
    if !report.errors.is_empty() {
        report.errors.sort_by_key(|e| e.line);
        return Ok(report);
    }
    let reason = ("import", "CSV import");
    let written = upsert::write(&mut tx, actor, "catalog.import", reason, &rows).await?;
    report.created_products = written.created_products;
    report.updated_products = written.updated_products;
    report.created_variants = written.created_variants;
    report.updated_variants = written.updated_variants;
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
                "updated_variants": report.updated_variants, "product_ids": written.product_ids,
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
