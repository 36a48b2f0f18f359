//! Changing stock by hand, and reading the ledger. The ledger rows themselves are written
//! by the database (triggers on `product_variants`), so that every change of stock, by
//! any code, has its row and a variant's movements always sum to its stock; code only
//! names the reason first, with [`name_reason`].

use crate::audit::{record, Actor, Change};
use crate::inventory::model::{
    AdjustmentForm, AdjustmentReason, MovementRow, StockOverview, StockRow, VariantLedger,
};
use crate::kernel::error::{AppError, FieldError};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Names why the stock changes the rest of this transaction makes (a sale, a
/// cancellation, a staff adjustment…), for the ledger rows the database writes.
pub async fn name_reason(
    connection: &mut PgConnection,
    reason: &str,
    note: &str,
    actor: Option<i64>,
    request_key: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "SELECT set_config('stoa.stock_reason', $1, true), set_config('stoa.stock_note', $2, true),
                set_config('stoa.stock_actor', coalesce($3::text, ''), true),
                set_config('stoa.stock_request_key', coalesce($4::text, ''), true)",
    )
    .bind(reason)
    .bind(note)
    .bind(actor)
    .bind(request_key)
    .execute(connection)
    .await?;
    Ok(())
}

/// A checked adjustment.
struct Adjustment {
    variant_id: i64,
    change: i32,
    reason: AdjustmentReason,
    note: String,
    request_key: Uuid,
}

fn check(form: &AdjustmentForm) -> Result<Adjustment, AppError> {
    let mut errors = Vec::new();
    let reason = AdjustmentReason::parse(form.reason.trim());
    if reason.is_none() {
        errors.push(FieldError::new(
            "reason",
            "Choose a reason: received, damaged, correction or returned.",
        ));
    }
    let change = form.change.trim().trim_start_matches('+').parse::<i32>();
    match (&change, reason) {
        (Err(_), _) => errors.push(FieldError::new(
            "change",
            "Enter the change as a whole number, e.g. 12 or -3.",
        )),
        (Ok(change), Some(_)) if change.abs() > 1_000_000 => errors.push(FieldError::new(
            "change",
            "Change stock by at most 1,000,000 at a time.",
        )),
        (Ok(change), Some(reason)) => {
            if let Err(message) = reason.allows(*change) {
                errors.push(FieldError::new("change", message));
            }
        }
        (Ok(_), None) => {}
    }
    let note = form.note.trim().to_owned();
    if note.chars().count() > 500 {
        errors.push(FieldError::new(
            "note",
            "Keep the note under 500 characters.",
        ));
    }
    let request_key = Uuid::parse_str(form.request_key.trim()).map_err(|_| {
        AppError::invalid("The form is out of date: reload the page and try again.")
    })?;
    AppError::from_field_errors(errors)?;
    Ok(Adjustment {
        variant_id: form.variant_id,
        change: change.unwrap_or_default(),
        reason: reason.unwrap_or(AdjustmentReason::Correction),
        note,
        request_key,
    })
}

/// Applies a staff adjustment in one transaction: the stock, its ledger row and the audit
/// record. Stock never goes below zero. A repeated request (same key) changes nothing
/// and answers with the current stock. Returns the stock after.
pub async fn adjust(pool: &PgPool, actor: &Actor, form: &AdjustmentForm) -> Result<i32, AppError> {
    let adjustment = check(form)?;
    match try_adjust(pool, actor, &adjustment).await? {
        Some(stock) => Ok(stock),
        None => {
            // The key was used before, or a concurrent identical request won.
            let done: Option<i32> = sqlx::query_scalar(
                "SELECT v.stock FROM stock_movements m JOIN product_variants v ON v.id = m.variant_id
                 WHERE m.request_key = $1",
            )
            .bind(adjustment.request_key)
            .fetch_optional(pool)
            .await?;
            done.ok_or(AppError::Internal)
        }
    }
}

/// Ok(None) when the request key was already used (before, or by a concurrent request).
async fn try_adjust(
    pool: &PgPool,
    actor: &Actor,
    adjustment: &Adjustment,
) -> Result<Option<i32>, AppError> {
    let mut tx = pool.begin().await?;
    let used: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM stock_movements WHERE request_key = $1)")
            .bind(adjustment.request_key)
            .fetch_one(&mut *tx)
            .await?;
    if used {
        return Ok(None);
    }
    let before: Option<(i32, String)> =
        sqlx::query_as("SELECT stock, sku FROM product_variants WHERE id = $1 FOR UPDATE")
            .bind(adjustment.variant_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((stock_before, sku)) = before else {
        return Err(AppError::not_found("There is no such variant."));
    };
    let stock_after = i64::from(stock_before) + i64::from(adjustment.change);
    if stock_after < 0 {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "change",
            format!("Only {stock_before} in stock: the change cannot remove more than that."),
        )]));
    }
    name_reason(
        &mut tx,
        adjustment.reason.as_str(),
        &adjustment.note,
        Some(actor.id),
        Some(adjustment.request_key),
    )
    .await?;
    let updated = sqlx::query_scalar(
        "UPDATE product_variants SET stock = stock + $2 WHERE id = $1 RETURNING stock",
    )
    .bind(adjustment.variant_id)
    .bind(adjustment.change)
    .fetch_one(&mut *tx)
    .await;
    let stock: i32 = match updated {
        // The ledger row's key is unique: a concurrent request with this key committed first.
        Err(error)
            if crate::kernel::db::violated_constraint(&error)
                == Some("stock_movements_request_key_key") =>
        {
            return Ok(None);
        }
        other => other?,
    };
    record(
        &mut tx,
        actor,
        Change {
            action: "stock.adjust",
            entity_type: "variant",
            entity_id: adjustment.variant_id.to_string(),
            before: Some(serde_json::json!({ "sku": sku, "stock": stock_before })),
            after: Some(serde_json::json!({
                "sku": sku, "stock": stock, "change": adjustment.change,
                "reason": adjustment.reason.as_str(), "note": adjustment.note,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(stock))
}

/// Sets the line at or below which a variant counts as low on stock.
pub async fn set_threshold(
    pool: &PgPool,
    actor: &Actor,
    variant_id: i64,
    threshold: &str,
) -> Result<(), AppError> {
    let threshold: i32 = threshold
        .trim()
        .parse()
        .ok()
        .filter(|t| (0..=1_000_000).contains(t))
        .ok_or_else(|| {
            AppError::InvalidFields(vec![FieldError::new(
                "threshold",
                "Enter a whole number from 0 to 1,000,000.",
            )])
        })?;
    let mut tx = pool.begin().await?;
    let before: (i32, String) = sqlx::query_as(
        "SELECT low_stock_threshold, sku FROM product_variants WHERE id = $1 FOR UPDATE",
    )
    .bind(variant_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::not_found("There is no such variant."))?;
    if before.0 == threshold {
        return Ok(());
    }
    sqlx::query("UPDATE product_variants SET low_stock_threshold = $2 WHERE id = $1")
        .bind(variant_id)
        .bind(threshold)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "stock.set_threshold",
            entity_type: "variant",
            entity_id: variant_id.to_string(),
            before: Some(serde_json::json!({ "sku": before.1, "low_stock_threshold": before.0 })),
            after: Some(serde_json::json!({ "sku": before.1, "low_stock_threshold": threshold })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StockRecord {
    variant_id: i64,
    product_id: i64,
    product_name: String,
    sku: String,
    option_values: Vec<String>,
    stock: i32,
    low_stock_threshold: i32,
}

impl From<StockRecord> for StockRow {
    fn from(r: StockRecord) -> Self {
        StockRow {
            variant_id: r.variant_id,
            product_id: r.product_id,
            product_name: r.product_name,
            sku: r.sku,
            options: r.option_values.join(" / "),
            stock: r.stock,
            low_stock_threshold: r.low_stock_threshold,
        }
    }
}

const STOCK_COLUMNS: &str = "v.id AS variant_id, p.id AS product_id, p.name AS product_name, v.sku,
    v.option_values, v.stock, v.low_stock_threshold
    FROM product_variants v JOIN products p ON p.id = v.product_id";

pub const STOCK_ROWS: i64 = 100;

/// Variants whose SKU is `search` or whose product matches it; with no search, the
/// low-stock list (lowest first). Archived products are left out.
pub async fn overview(pool: &PgPool, search: &str) -> Result<StockOverview, AppError> {
    let search = search.trim();
    if search.chars().count() > 200 {
        return Err(AppError::invalid("Search for at most 200 characters."));
    }
    let rows: Vec<StockRecord> = if search.is_empty() {
        sqlx::query_as(&format!(
            "SELECT {STOCK_COLUMNS} WHERE v.stock <= v.low_stock_threshold AND p.archived_at IS NULL
             ORDER BY v.stock, v.id LIMIT $1"
        ))
        .bind(STOCK_ROWS)
        .fetch_all(pool)
        .await?
    } else {
        sqlx::query_as(&format!(
            "SELECT {STOCK_COLUMNS}
             WHERE p.archived_at IS NULL
               AND (v.sku = upper($1) OR p.search_document @@ websearch_to_tsquery('english', $1))
             ORDER BY v.sku = upper($1) DESC, p.id DESC, v.position, v.id LIMIT $2"
        ))
        .bind(search)
        .bind(STOCK_ROWS)
        .fetch_all(pool)
        .await?
    };
    Ok(StockOverview {
        rows: rows.into_iter().map(StockRow::from).collect(),
        low_stock_count: low_stock_count(pool).await?,
    })
}

/// How many variants (of products not archived) are at or below their threshold.
pub async fn low_stock_count(pool: &PgPool) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM product_variants v
         WHERE v.stock <= v.low_stock_threshold
           AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = v.product_id AND p.archived_at IS NOT NULL)",
    )
    .fetch_one(pool)
    .await?)
}

/// A variant with its latest 100 movements, newest first.
pub async fn variant_ledger(pool: &PgPool, variant_id: i64) -> Result<VariantLedger, AppError> {
    let row: StockRecord = sqlx::query_as(&format!("SELECT {STOCK_COLUMNS} WHERE v.id = $1"))
        .bind(variant_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such variant."))?;
    let movements: Vec<(chrono::DateTime<chrono::Utc>, i32, i32, String, String)> = sqlx::query_as(
        "SELECT at, delta, stock_after, reason::text, note FROM stock_movements
         WHERE variant_id = $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(variant_id)
    .fetch_all(pool)
    .await?;
    Ok(VariantLedger {
        request_key: Uuid::new_v4().to_string(),
        row: row.into(),
        movements: movements
            .into_iter()
            .map(|(at, delta, stock_after, reason, note)| MovementRow {
                at: at.format("%Y-%m-%d %H:%M").to_string(),
                delta,
                stock_after,
                reason,
                note,
            })
            .collect(),
    })
}
