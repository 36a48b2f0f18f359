//! Stock written by other systems: set or adjust many variants by SKU in one request, each
//! change with its reason, all or nothing, written to the stock ledger like every change.
//! A request carries an idempotency key: a retry (same key, same body) answers what the
//! first answered and changes nothing again; the same key with another body is refused.

use crate::audit::{record, Actor, Change};
use crate::kernel::error::{AppError, FieldError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// The most changes one request may carry.
pub const MAX_CHANGES: usize = 1000;
/// Why stock changes, as the stock ledger records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    Received,
    Damaged,
    Correction,
    Returned,
    /// A count from another system (an ERP or warehouse).
    Import,
}

impl StockReason {
    fn as_str(self) -> &'static str {
        match self {
            StockReason::Received => "received",
            StockReason::Damaged => "damaged",
            StockReason::Correction => "correction",
            StockReason::Returned => "returned",
            StockReason::Import => "import",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockBatch {
    /// 1 to 1000 changes, each to a different SKU.
    #[schema(min_items = 1, max_items = 1000)]
    pub changes: Vec<StockChange>,
}

/// Either `set` (the count on hand) or `adjust` (a change, + or −), not both.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockChange {
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    /// The count on hand, 0 to 1,000,000,000.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub set: Option<i64>,
    /// A change of 1 to 1,000,000, up (positive) or down (negative).
    #[schema(minimum = -1_000_000, maximum = 1_000_000)]
    pub adjust: Option<i64>,
    pub reason: StockReason,
    /// Shown in the stock ledger, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StockResult {
    pub changed: Vec<StockLevel>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StockLevel {
    pub sku: String,
    pub stock_before: i64,
    pub stock: i64,
}

struct Checked<'a> {
    /// Where the change stands in the request, for field errors.
    index: usize,
    /// Upper case: SKUs are compared without case.
    sku: String,
    set: Option<i64>,
    adjust: Option<i64>,
    reason: StockReason,
    note: &'a str,
}

fn check(batch: &StockBatch) -> Result<Vec<Checked<'_>>, AppError> {
    if batch.changes.is_empty() || batch.changes.len() > MAX_CHANGES {
        return Err(AppError::invalid(format!(
            "Send 1 to {MAX_CHANGES} changes in `changes`."
        )));
    }
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, change) in batch.changes.iter().enumerate() {
        let field = |name: &str| format!("changes.{index}.{name}");
        let sku = change.sku.trim().to_uppercase();
        if sku.is_empty() || sku.chars().count() > 64 {
            errors.push(FieldError::new(field("sku"), "Give the variant's SKU."));
        } else if !seen.insert(sku) {
            errors.push(FieldError::new(
                field("sku"),
                "Each SKU at most once per request.",
            ));
        }
        match (change.set, change.adjust) {
            (Some(set), None) if !(0..=1_000_000_000).contains(&set) => errors.push(
                FieldError::new(field("set"), "Stock is 0 to 1,000,000,000."),
            ),
            (None, Some(adjust)) if adjust == 0 || adjust.abs() > 1_000_000 => errors.push(
                FieldError::new(field("adjust"), "Adjust by 1 to 1,000,000, up or down."),
            ),
            (Some(_), None) | (None, Some(_)) => {}
            _ => errors.push(FieldError::new(
                field("set"),
                "Give either `set` or `adjust`.",
            )),
        }
        if change.note.chars().count() > 500 || change.note.chars().any(char::is_control) {
            errors.push(FieldError::new(
                field("note"),
                "A note is up to 500 printable characters.",
            ));
        }
    }
    AppError::from_field_errors(errors)?;
    let mut checked: Vec<Checked<'_>> = batch
        .changes
        .iter()
        .enumerate()
        .map(|(index, change)| Checked {
            index,
            sku: change.sku.trim().to_uppercase(),
            set: change.set,
            adjust: change.adjust,
            reason: change.reason,
            note: change.note.as_str(),
        })
        .collect();
    // Rows are locked in one order by everyone: two batches never deadlock.
    checked.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok(checked)
}

/// The stored answer to an earlier request with this key, if any; refuses a reused key
/// with a different body.
async fn earlier_answer(
    connection: &mut sqlx::PgConnection,
    key_id: i64,
    idempotency_key: &str,
    request_hash: &[u8],
) -> Result<Option<StockResult>, AppError> {
    let claimed = sqlx::query(
        "INSERT INTO api_idempotent_requests (api_key_id, idempotency_key, request_hash, status, response)
         VALUES ($1, $2, $3, 0, 'null') ON CONFLICT DO NOTHING",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .bind(request_hash)
    .execute(&mut *connection)
    .await?;
    if claimed.rows_affected() == 1 {
        return Ok(None);
    }
    let (stored_hash, response): (Vec<u8>, serde_json::Value) = sqlx::query_as(
        "SELECT request_hash, response FROM api_idempotent_requests
         WHERE api_key_id = $1 AND idempotency_key = $2",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .fetch_one(&mut *connection)
    .await?;
    if stored_hash != request_hash {
        return Err(AppError::invalid(
            "This Idempotency-Key was used for a different request; use a new key for a new request.",
        ));
    }
    serde_json::from_value(response).map(Some).map_err(|error| {
        tracing::error!(%error, "a stored API answer does not read back");
        AppError::Internal
    })
}

pub fn check_idempotency_key(key: Option<&str>) -> Result<&str, AppError> {
    match key.map(str::trim) {
        Some(key)
            if !key.is_empty()
                && key.len() <= 200
                && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(key)
        }
        _ => Err(AppError::invalid(
            "Send an `Idempotency-Key` header (1 to 200 visible characters, e.g. a UUID, new for each change) with this request.",
        )),
    }
}

/// Applies the batch in one transaction (with its ledger rows, audit record and stored
/// answer), or answers as the first request with this key did.
pub async fn apply(
    pool: &PgPool,
    actor: &Actor,
    key_id: i64,
    idempotency_key: &str,
    batch: &StockBatch,
) -> Result<StockResult, AppError> {
    let changes = check(batch)?;
    let request_hash =
        Sha256::digest(serde_json::to_vec(batch).map_err(|_| AppError::Internal)?).to_vec();
    let mut tx = pool.begin().await?;
    if let Some(answer) = earlier_answer(&mut tx, key_id, idempotency_key, &request_hash).await? {
        return Ok(answer);
    }
    let skus: Vec<&str> = changes.iter().map(|c| c.sku.as_str()).collect();
    let found: Vec<(String, i64)> = sqlx::query_as(
        "SELECT sku, stock::bigint FROM product_variants WHERE sku = ANY($1) ORDER BY sku FOR UPDATE",
    )
    .bind(&skus)
    .fetch_all(&mut *tx)
    .await?;
    let stock: std::collections::HashMap<&str, i64> = found
        .iter()
        .map(|(sku, stock)| (sku.as_str(), *stock))
        .collect();
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for change in &changes {
        let index = change.index;
        let Some(&before) = stock.get(change.sku.as_str()) else {
            errors.push(FieldError::new(
                format!("changes.{index}.sku"),
                format!("No variant has the SKU {}.", change.sku),
            ));
            continue;
        };
        let after = change.set.unwrap_or(before + change.adjust.unwrap_or(0));
        if !(0..=i64::from(i32::MAX)).contains(&after) {
            errors.push(FieldError::new(
                format!("changes.{index}.adjust"),
                format!(
                    "{} has {before} in stock; it cannot go below 0.",
                    change.sku
                ),
            ));
            continue;
        }
        changed.push((change, before, after));
    }
    AppError::from_field_errors(errors)?;
    // One UPDATE per reason and note: the ledger's trigger writes one row per variant.
    type Levels<'a> = (Vec<&'a str>, Vec<i32>);
    let mut groups: std::collections::BTreeMap<(&str, &str), Levels<'_>> =
        std::collections::BTreeMap::new();
    for (change, before, after) in &changed {
        if before != after {
            let group = groups
                .entry((change.reason.as_str(), change.note))
                .or_default();
            group.0.push(change.sku.as_str());
            group
                .1
                .push(i32::try_from(*after).map_err(|_| AppError::Internal)?);
        }
    }
    for ((reason, note), (skus, levels)) in groups {
        crate::inventory::ledger::name_reason(&mut tx, reason, note, Some(actor.id), None).await?;
        sqlx::query(
            "UPDATE product_variants v SET stock = c.stock
             FROM unnest($1::text[], $2::int[]) AS c (sku, stock) WHERE v.sku = c.sku",
        )
        .bind(&skus)
        .bind(&levels)
        .execute(&mut *tx)
        .await?;
    }
    let result = StockResult {
        changed: changed
            .iter()
            .map(|(change, before, after)| StockLevel {
                sku: change.sku.clone(),
                stock_before: *before,
                stock: *after,
            })
            .collect(),
    };
    record(
        &mut tx,
        actor,
        Change {
            action: "stock.api_batch",
            entity_type: "stock",
            entity_id: idempotency_key.to_owned(),
            before: None,
            after: Some(serde_json::json!({ "changes": result.changed.len() })),
        },
    )
    .await?;
    sqlx::query(
        "UPDATE api_idempotent_requests SET status = 200, response = $3
         WHERE api_key_id = $1 AND idempotency_key = $2",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .bind(serde_json::to_value(&result).map_err(|_| AppError::Internal)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(result)
}
