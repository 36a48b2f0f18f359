//! Promotions from the staff area: create and change them (checked field by field, nothing
//! written on a mistake), pause, resume and end them, add codes by hand or generate
//! batches of unique single-use codes, export codes as CSV, and see uses and revenue.
//! Every change is audited in its own transaction.

use crate::audit::{record, Actor, Change};
use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::{major_units_text, CurrencyCode, Money};
use crate::pricing::model::TaxRate;
use crate::promotions::model::{
    CodeBatchForm, CodeForm, CodeRow, PromotionDetail, PromotionForm, PromotionRow, PromotionStatus,
};
use crate::promotions::repo::normalise_code;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// The most codes one batch makes.
pub const MAX_BATCH: i64 = 10_000;
/// Codes a promotion's page lists (the rest are exported).
const CODES_SHOWN: i64 = 50;

/// A promotion as checked, ready to store.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CheckedPromotion {
    pub name: String,
    pub kind: &'static str,
    pub value: i64,
    pub buy_quantity: Option<i32>,
    pub get_quantity: Option<i32>,
    pub product_slugs: Vec<String>,
    pub category_slugs: Vec<String>,
    pub min_subtotal_minor: Option<i64>,
    pub min_quantity: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub needs_code: bool,
    pub combines: bool,
    pub priority: i32,
    pub usage_limit: Option<i32>,
    pub per_customer_limit: Option<i32>,
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Empty → `None`; else a whole number in `range`, or a field error.
fn whole_number(
    field: &str,
    text: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(
                field,
                format!(
                    "Enter a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ),
            ));
            None
        }
    }
}

fn amount(
    field: &str,
    text: &str,
    currency: &CurrencyCode,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match Money::parse_major(text, currency) {
        Ok(money) => Some(money.minor_units),
        Err(error) => {
            errors.push(FieldError::new(
                field,
                format!("Enter an amount such as 10.00 ({error})."),
            ));
            None
        }
    }
}

fn moment(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"));
    match parsed {
        Ok(at) => Some(at.and_utc()),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "Enter a date and time such as 2026-12-01T09:00 (UTC).",
            ));
            None
        }
    }
}

fn slugs(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    let list: Vec<String> = text
        .split([',', ' ', '\n', '\t', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
        .collect();
    if list.len() > 200 || list.iter().any(|s| !crate::kernel::slug::is_valid_slug(s)) {
        errors.push(FieldError::new(
            field,
            "List up to 200 slugs separated by commas, e.g. linen-shirt, canvas-tote.",
        ));
        return Vec::new();
    }
    list
}

/// Checks every field of the form; all problems at once.
pub fn check_form(
    form: &PromotionForm,
    currency: &CurrencyCode,
) -> Result<CheckedPromotion, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = form.name.trim().to_owned();
    if !(1..=100).contains(&name.chars().count()) || has_control(&name) {
        errors.push(FieldError::new(
            "name",
            "Name the promotion in up to 100 characters, e.g. Spring sale.",
        ));
    }
    let percent = |errors: &mut Vec<FieldError>| match TaxRate::parse(&form.percent) {
        Ok(rate) if rate.basis_points() > 0 => i64::from(rate.basis_points()),
        _ => {
            errors.push(FieldError::new(
                "percent",
                "Enter a percentage above 0 and up to 100, e.g. 20.",
            ));
            0
        }
    };
    let (kind, value, buy_quantity, get_quantity) = match form.kind.trim() {
        "percent_off" => ("percent_off", percent(&mut errors), None, None),
        "amount_off" => {
            let value = amount("amount", &form.amount, currency, &mut errors);
            if value.is_none_or(|v| v <= 0) && !errors.iter().any(|e| e.field == "amount") {
                errors.push(FieldError::new(
                    "amount",
                    "Enter the amount off, e.g. 10.00.",
                ));
            }
            ("amount_off", value.unwrap_or(0), None, None)
        }
        "free_shipping" => ("free_shipping", 0, None, None),
        "buy_x_get_y" => {
            let value = if form.percent.trim().is_empty() {
                10_000
            } else {
                percent(&mut errors)
            };
            let buy = whole_number("buy", &form.buy, 1..=99, &mut errors);
            let get = whole_number("get", &form.get, 1..=99, &mut errors);
            for (field, given) in [("buy", buy), ("get", get)] {
                if given.is_none() && !errors.iter().any(|e| e.field == field) {
                    errors.push(FieldError::new(field, "Enter a whole number from 1 to 99."));
                }
            }
            (
                "buy_x_get_y",
                value,
                buy.and_then(|b| i32::try_from(b).ok()),
                get.and_then(|g| i32::try_from(g).ok()),
            )
        }
        _ => {
            errors.push(FieldError::new("kind", "Choose what the promotion gives."));
            ("percent_off", 0, None, None)
        }
    };
    let product_slugs = slugs("products", &form.products, &mut errors);
    let category_slugs = slugs("categories", &form.categories, &mut errors);
    let min_subtotal_minor = amount("min_subtotal", &form.min_subtotal, currency, &mut errors);
    let min_quantity = whole_number("min_quantity", &form.min_quantity, 1..=10_000, &mut errors)
        .and_then(|n| i32::try_from(n).ok());
    let starts_at = moment("starts_at", &form.starts_at, &mut errors);
    let ends_at = moment("ends_at", &form.ends_at, &mut errors);
    if let (Some(start), Some(end)) = (starts_at, ends_at) {
        if end <= start {
            errors.push(FieldError::new(
                "ends_at",
                "End the promotion after it starts.",
            ));
        }
    }
    let needs_code = match form.trigger.trim() {
        "automatic" => false,
        "code" => true,
        _ => {
            errors.push(FieldError::new(
                "trigger",
                "Choose automatic or with a code.",
            ));
            false
        }
    };
    let priority = whole_number("priority", &form.priority, -1000..=1000, &mut errors).unwrap_or(0);
    let usage_limit = whole_number(
        "usage_limit",
        &form.usage_limit,
        1..=10_000_000,
        &mut errors,
    )
    .and_then(|n| i32::try_from(n).ok());
    let per_customer_limit = whole_number(
        "per_customer_limit",
        &form.per_customer_limit,
        1..=10_000,
        &mut errors,
    )
    .and_then(|n| i32::try_from(n).ok());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedPromotion {
        name,
        kind,
        value,
        buy_quantity,
        get_quantity,
        product_slugs,
        category_slugs,
        min_subtotal_minor,
        min_quantity,
        starts_at,
        ends_at,
        needs_code,
        combines: form.combines.is_some(),
        priority: i32::try_from(priority).unwrap_or(0),
        usage_limit,
        per_customer_limit,
    })
}

/// Slugs → ids, with a field error naming those that do not exist.
async fn ids_of(
    connection: &mut PgConnection,
    table: &str,
    field: &str,
    slugs: &[String],
    errors: &mut Vec<FieldError>,
) -> Result<Vec<i64>, AppError> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, slug FROM {table} WHERE slug = ANY($1)"
    ))
    .bind(slugs)
    .fetch_all(connection)
    .await?;
    let missing: Vec<&str> = slugs
        .iter()
        .filter(|s| !found.iter().any(|(_, f)| f == *s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        errors.push(FieldError::new(
            field,
            format!("There is nothing called {}.", missing.join(", ")),
        ));
    }
    Ok(found.into_iter().map(|(id, _)| id).collect())
}

async fn store_currency(connection: &mut PgConnection) -> Result<CurrencyCode, AppError> {
    Ok(crate::pricing::rates::store_settings(connection)
        .await?
        .currency)
}

/// Creates a promotion (`id` `None`) or changes one; returns its id.
pub async fn save(
    pool: &PgPool,
    actor: &Actor,
    id: Option<i64>,
    form: &PromotionForm,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let currency = store_currency(&mut tx).await?;
    let checked = check_form(form, &currency).map_err(AppError::InvalidFields)?;
    let mut errors = Vec::new();
    let product_ids = ids_of(
        &mut tx,
        "products",
        "products",
        &checked.product_slugs,
        &mut errors,
    )
    .await?;
    let category_ids = ids_of(
        &mut tx,
        "categories",
        "categories",
        &checked.category_slugs,
        &mut errors,
    )
    .await?;
    AppError::from_field_errors(errors)?;
    let before = match id {
        Some(id) => Some(
            form_of(&mut tx, id)
                .await?
                .ok_or_else(|| AppError::not_found("There is no such promotion."))?,
        ),
        None => None,
    };
    let saved: i64 = sqlx::query_scalar(
        "INSERT INTO promotions AS p (id, name, kind, value, buy_quantity, get_quantity, product_ids, category_ids,
                                min_subtotal_minor, min_quantity, starts_at, ends_at, needs_code, combines,
                                priority, usage_limit, per_customer_limit)
         OVERRIDING SYSTEM VALUE
         VALUES (coalesce($1, nextval(pg_get_serial_sequence('promotions', 'id'))), $2, $3, $4, $5, $6, $7, $8,
                 $9, $10, coalesce($11, now()), $12, $13, $14, $15, $16, $17)
         ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, value = $4, buy_quantity = $5, get_quantity = $6,
             product_ids = $7, category_ids = $8, min_subtotal_minor = $9, min_quantity = $10,
             starts_at = coalesce($11, p.starts_at), ends_at = $12, needs_code = $13, combines = $14,
             priority = $15, usage_limit = $16, per_customer_limit = $17
         RETURNING id",
    )
    .bind(id)
    .bind(&checked.name)
    .bind(checked.kind)
    .bind(checked.value)
    .bind(checked.buy_quantity)
    .bind(checked.get_quantity)
    .bind(&product_ids)
    .bind(&category_ids)
    .bind(checked.min_subtotal_minor)
    .bind(checked.min_quantity)
    .bind(checked.starts_at)
    .bind(checked.ends_at)
    .bind(checked.needs_code)
    .bind(checked.combines)
    .bind(checked.priority)
    .bind(checked.usage_limit)
    .bind(checked.per_customer_limit)
    .fetch_one(&mut *tx)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(db) if db.constraint() == Some("promotions_period") => {
            AppError::InvalidFields(vec![FieldError::new("ends_at", "End the promotion after it starts.")])
        }
        _ => error.into(),
    })?;
    let after = form_of(&mut tx, saved).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: if id.is_some() {
                "promotion.change"
            } else {
                "promotion.create"
            },
            entity_type: "promotion",
            entity_id: saved.to_string(),
            before: before.map(|f| serde_json::to_value(f).unwrap_or_default()),
            after: after.map(|f| serde_json::to_value(f).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// What staff can do to a promotion's schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    Pause,
    Resume,
    End,
}

impl Switch {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text {
            "pause" => Ok(Self::Pause),
            "resume" => Ok(Self::Resume),
            "end" => Ok(Self::End),
            _ => Err(AppError::invalid("Choose pause, resume or end.")),
        }
    }
}

/// Pauses, resumes or ends (now, for good) a promotion.
pub async fn switch(pool: &PgPool, actor: &Actor, id: i64, switch: Switch) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let before: Option<(bool, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT is_paused, ends_at FROM promotions WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((paused, ends_at)) = before else {
        return Err(AppError::not_found("There is no such promotion."));
    };
    if ends_at.is_some_and(|end| end <= Utc::now()) {
        return Err(AppError::invalid(
            "This promotion has ended: create a new one to run it again.",
        ));
    }
    let (action, sql) = match switch {
        Switch::Pause => ("promotion.pause", "UPDATE promotions SET is_paused = true WHERE id = $1"),
        Switch::Resume => ("promotion.resume", "UPDATE promotions SET is_paused = false WHERE id = $1"),
        // A promotion scheduled to start later ends before it began: its start moves back.
        Switch::End => (
            "promotion.end",
            "UPDATE promotions SET ends_at = now(), starts_at = least(starts_at, now() - interval '1 second') WHERE id = $1",
        ),
    };
    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    record(
        &mut tx,
        actor,
        Change {
            action,
            entity_type: "promotion",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({ "paused": paused, "ends_at": ends_at })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn promotion_exists(connection: &mut PgConnection, id: i64) -> Result<(), AppError> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM promotions WHERE id = $1)")
        .bind(id)
        .fetch_one(connection)
        .await?;
    if exists {
        Ok(())
    } else {
        Err(AppError::not_found("There is no such promotion."))
    }
}

/// Adds one code typed by staff.
pub async fn add_code(pool: &PgPool, actor: &Actor, form: &CodeForm) -> Result<String, AppError> {
    let mut errors = Vec::new();
    let code = normalise_code(&form.code)
        .map_err(|problem| errors.push(FieldError::new("code", problem)))
        .ok();
    let max_uses = whole_number("max_uses", &form.max_uses, 1..=10_000_000, &mut errors)
        .and_then(|n| i32::try_from(n).ok());
    AppError::from_field_errors(errors)?;
    let code = code.unwrap_or_default();
    let mut tx = pool.begin().await?;
    promotion_exists(&mut tx, form.promotion_id).await?;
    let inserted = sqlx::query(
        "INSERT INTO promotion_codes (code, promotion_id, max_uses) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(&code)
    .bind(form.promotion_id)
    .bind(max_uses)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "code",
            format!("{code} is already a code: choose another."),
        )]));
    }
    record(
        &mut tx,
        actor,
        Change {
            action: "promotion.code_add",
            entity_type: "promotion",
            entity_id: form.promotion_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "code": code, "max_uses": max_uses })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Letters and digits no one misreads (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// `length` characters drawn evenly from the alphabet (bytes past the last whole multiple
/// of its size are drawn again, so no letter is likelier than another).
fn random_part(length: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let size = CODE_ALPHABET.len();
    let limit = 256 - 256 % size;
    let mut part = String::with_capacity(length);
    let mut bytes = [0_u8; 64];
    while part.len() < length {
        OsRng.fill_bytes(&mut bytes);
        for byte in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if part.len() < length {
                part.push(char::from(CODE_ALPHABET[byte % size]));
            }
        }
    }
    part
}

/// Generates `count` unique single-use codes `PREFIX-XXXX-XXXX` in one statement (a
/// collision, one in ~10^12, is simply drawn again); returns the batch's name.
pub async fn generate_codes(
    pool: &PgPool,
    actor: &Actor,
    form: &CodeBatchForm,
) -> Result<String, AppError> {
    let mut errors = Vec::new();
    let count = whole_number("count", &form.count, 1..=MAX_BATCH, &mut errors);
    if count.is_none() && !errors.iter().any(|e| e.field == "count") {
        errors.push(FieldError::new(
            "count",
            format!("Enter how many codes, 1 to {MAX_BATCH}."),
        ));
    }
    let prefix = form.prefix.trim().to_uppercase();
    if prefix.len() > 12
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        errors.push(FieldError::new(
            "prefix",
            "Up to 12 letters and digits, e.g. XMAS.",
        ));
    }
    AppError::from_field_errors(errors)?;
    let count = count.unwrap_or(0);
    let mut tx = pool.begin().await?;
    promotion_exists(&mut tx, form.promotion_id).await?;
    let batch = format!(
        "{} {}",
        Utc::now().format("%Y-%m-%d %H:%M:%S"),
        random_part(4)
    );
    let mut made: i64 = 0;
    while made < count {
        let wanted = usize::try_from(count - made).unwrap_or(0);
        let codes: Vec<String> = (0..wanted)
            .map(|_| {
                let body = format!("{}-{}", random_part(4), random_part(4));
                if prefix.is_empty() {
                    body
                } else {
                    format!("{prefix}-{body}")
                }
            })
            .collect();
        let inserted = sqlx::query(
            "INSERT INTO promotion_codes (code, promotion_id, max_uses, batch)
             SELECT code, $2, 1, $3 FROM unnest($1::text[]) AS code ON CONFLICT DO NOTHING",
        )
        .bind(&codes)
        .bind(form.promotion_id)
        .bind(&batch)
        .execute(&mut *tx)
        .await?;
        made += i64::try_from(inserted.rows_affected()).unwrap_or(0);
    }
    record(
        &mut tx,
        actor,
        Change {
            action: "promotion.codes_generate",
            entity_type: "promotion",
            entity_id: form.promotion_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "batch": batch, "count": count, "prefix": prefix })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(batch)
}

/// A promotion's codes with their uses, oldest first: all, or (`typed_only`) those added
/// by hand; at most `limit`.
async fn codes_with_uses(
    connection: &mut PgConnection,
    id: i64,
    typed_only: bool,
    limit: i64,
) -> Result<Vec<CodeRow>, AppError> {
    let rows: Vec<(String, i64, Option<i32>, Option<String>)> = sqlx::query_as(
        "SELECT c.code, (SELECT count(*) FROM order_discounts d WHERE d.code = c.code AND d.released_at IS NULL),
                c.max_uses, c.batch
         FROM promotion_codes c WHERE c.promotion_id = $1 AND (NOT $2 OR c.batch IS NULL)
         ORDER BY c.created_at, c.code LIMIT $3",
    )
    .bind(id)
    .bind(typed_only)
    .bind(limit)
    .fetch_all(connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, uses, max_uses, batch)| CodeRow {
            code,
            uses,
            max_uses,
            batch,
        })
        .collect())
}

/// Every code of a promotion as CSV (code, uses, max uses, batch), oldest first.
pub async fn codes_csv(pool: &PgPool, id: i64) -> Result<Vec<u8>, AppError> {
    promotion_exists(&mut *pool.acquire().await?, id).await?;
    let rows = codes_with_uses(&mut *pool.acquire().await?, id, false, i64::MAX).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |_| AppError::Internal;
    writer
        .write_record(["code", "uses", "max_uses", "batch"])
        .map_err(failed)?;
    for row in rows {
        writer
            .write_record([
                row.code,
                row.uses.to_string(),
                row.max_uses.map(|m| m.to_string()).unwrap_or_default(),
                row.batch.unwrap_or_default(),
            ])
            .map_err(failed)?;
    }
    writer.into_inner().map_err(|_| AppError::Internal)
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    name: String,
    kind: String,
    value: i64,
    buy_quantity: Option<i32>,
    get_quantity: Option<i32>,
    product_slugs: Vec<String>,
    category_slugs: Vec<String>,
    min_subtotal_minor: Option<i64>,
    min_quantity: Option<i32>,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    needs_code: bool,
    combines: bool,
    priority: i32,
    usage_limit: Option<i32>,
    per_customer_limit: Option<i32>,
    is_paused: bool,
    uses: i64,
    codes: i64,
    revenue_minor: i64,
    discounted_minor: i64,
}

const STORED_SELECT: &str = "
    SELECT p.id, p.name, p.kind, p.value, p.buy_quantity, p.get_quantity,
           coalesce((SELECT array_agg(x.slug ORDER BY x.slug) FROM products x WHERE x.id = ANY(p.product_ids)), '{}') AS product_slugs,
           coalesce((SELECT array_agg(x.slug ORDER BY x.slug) FROM categories x WHERE x.id = ANY(p.category_ids)), '{}') AS category_slugs,
           p.min_subtotal_minor, p.min_quantity, p.starts_at, p.ends_at, p.needs_code, p.combines, p.priority,
           p.usage_limit, p.per_customer_limit, p.is_paused,
           coalesce(u.uses, 0) AS uses, coalesce(u.revenue_minor, 0)::bigint AS revenue_minor,
           coalesce(u.discounted_minor, 0)::bigint AS discounted_minor,
           (SELECT count(*) FROM promotion_codes c WHERE c.promotion_id = p.id) AS codes
    FROM promotions p
    LEFT JOIN LATERAL (
        SELECT count(*) AS uses, sum(o.total_minor) AS revenue_minor,
               sum(d.lines_minor + d.shipping_minor) AS discounted_minor
        FROM order_discounts d JOIN orders o ON o.id = d.order_id
        WHERE d.promotion_id = p.id AND d.released_at IS NULL
    ) u ON true";

fn status_of(stored: &Stored, now: DateTime<Utc>) -> PromotionStatus {
    if stored.ends_at.is_some_and(|end| end <= now) {
        PromotionStatus::Ended
    } else if stored.is_paused {
        PromotionStatus::Paused
    } else if stored.starts_at > now {
        PromotionStatus::Scheduled
    } else {
        PromotionStatus::Active
    }
}

fn summary(stored: &Stored, currency: &CurrencyCode) -> String {
    let percent = |bp: i64| {
        TaxRate::from_basis_points(i32::try_from(bp).unwrap_or(0))
            .map_or_else(String::new, TaxRate::percent_text)
    };
    let benefit = match stored.kind.as_str() {
        "percent_off" => format!("{} % off", percent(stored.value)),
        "amount_off" => format!("{} off", Money::new(stored.value, currency.clone())),
        "buy_x_get_y" if stored.value == 10_000 => format!(
            "Buy {} get {} free",
            stored.buy_quantity.unwrap_or(1),
            stored.get_quantity.unwrap_or(1)
        ),
        "buy_x_get_y" => format!(
            "Buy {} get {} at {} % off",
            stored.buy_quantity.unwrap_or(1),
            stored.get_quantity.unwrap_or(1),
            percent(stored.value)
        ),
        _ => "Free shipping".to_owned(),
    };
    let targets: Vec<String> = stored
        .product_slugs
        .iter()
        .chain(&stored.category_slugs)
        .cloned()
        .collect();
    let mut text = if targets.is_empty() {
        benefit
    } else {
        format!("{benefit} on {}", targets.join(", "))
    };
    if let Some(min) = stored.min_subtotal_minor {
        text.push_str(&format!(", from {}", Money::new(min, currency.clone())));
    }
    if let Some(min) = stored.min_quantity {
        text.push_str(&format!(", from {min} items"));
    }
    text
}

fn row_of(stored: &Stored, currency: &CurrencyCode, now: DateTime<Utc>) -> PromotionRow {
    PromotionRow {
        id: stored.id,
        name: stored.name.clone(),
        summary: summary(stored, currency),
        status: status_of(stored, now),
        trigger: match (stored.needs_code, stored.codes) {
            (false, _) => "Automatic".to_owned(),
            (true, 1) => "1 code".to_owned(),
            (true, n) => format!("{n} codes"),
        },
        uses: stored.uses,
        usage_limit: stored.usage_limit,
        revenue: Money::new(stored.revenue_minor, currency.clone()).to_string(),
        discounted: Money::new(stored.discounted_minor, currency.clone()).to_string(),
    }
}

fn input_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

fn form_from(stored: &Stored, currency: &CurrencyCode) -> PromotionForm {
    let percent = matches!(stored.kind.as_str(), "percent_off" | "buy_x_get_y")
        .then(|| {
            TaxRate::from_basis_points(i32::try_from(stored.value).unwrap_or(0))
                .map(TaxRate::percent_text)
        })
        .flatten()
        .unwrap_or_default();
    PromotionForm {
        name: stored.name.clone(),
        kind: stored.kind.clone(),
        percent,
        amount: if stored.kind == "amount_off" {
            major_units_text(stored.value, currency)
        } else {
            String::new()
        },
        buy: stored
            .buy_quantity
            .map(|n| n.to_string())
            .unwrap_or_default(),
        get: stored
            .get_quantity
            .map(|n| n.to_string())
            .unwrap_or_default(),
        products: stored.product_slugs.join(", "),
        categories: stored.category_slugs.join(", "),
        min_subtotal: stored
            .min_subtotal_minor
            .map(|m| major_units_text(m, currency))
            .unwrap_or_default(),
        min_quantity: stored
            .min_quantity
            .map(|n| n.to_string())
            .unwrap_or_default(),
        starts_at: input_time(stored.starts_at),
        ends_at: stored.ends_at.map(input_time).unwrap_or_default(),
        trigger: if stored.needs_code {
            "code"
        } else {
            "automatic"
        }
        .to_owned(),
        combines: stored.combines.then(|| "on".to_owned()),
        priority: stored.priority.to_string(),
        usage_limit: stored
            .usage_limit
            .map(|n| n.to_string())
            .unwrap_or_default(),
        per_customer_limit: stored
            .per_customer_limit
            .map(|n| n.to_string())
            .unwrap_or_default(),
    }
}

async fn form_of(
    connection: &mut PgConnection,
    id: i64,
) -> Result<Option<PromotionForm>, AppError> {
    let currency = store_currency(connection).await?;
    let stored: Option<Stored> = sqlx::query_as(&format!("{STORED_SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
    Ok(stored.map(|s| form_from(&s, &currency)))
}

/// Every promotion, newest first, with its status, uses and revenue.
pub async fn list(pool: &PgPool) -> Result<Vec<PromotionRow>, AppError> {
    let mut connection = pool.acquire().await?;
    let currency = store_currency(&mut connection).await?;
    let stored: Vec<Stored> =
        sqlx::query_as(&format!("{STORED_SELECT} ORDER BY p.id DESC LIMIT 500"))
            .fetch_all(&mut *connection)
            .await?;
    let now = Utc::now();
    Ok(stored.iter().map(|s| row_of(s, &currency, now)).collect())
}

pub async fn detail(pool: &PgPool, id: i64) -> Result<PromotionDetail, AppError> {
    let mut connection = pool.acquire().await?;
    let currency = store_currency(&mut connection).await?;
    let stored: Stored = sqlx::query_as(&format!("{STORED_SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such promotion."))?;
    let codes = codes_with_uses(&mut connection, id, true, CODES_SHOWN).await?;
    let batches: Vec<(String, i64)> = sqlx::query_as(
        "SELECT batch, count(*) FROM promotion_codes WHERE promotion_id = $1 AND batch IS NOT NULL
         GROUP BY batch ORDER BY batch",
    )
    .bind(id)
    .fetch_all(&mut *connection)
    .await?;
    Ok(PromotionDetail {
        row: row_of(&stored, &currency, Utc::now()),
        form: form_from(&stored, &currency),
        code_count: stored.codes,
        codes,
        batches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> CurrencyCode {
        CurrencyCode::parse("USD").unwrap()
    }

    fn twenty_percent() -> PromotionForm {
        PromotionForm {
            name: "Spring sale".into(),
            kind: "percent_off".into(),
            percent: "20".into(),
            trigger: "automatic".into(),
            ..Default::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_percentage_promotion_is_kept_in_basis_points() {
        let checked = check_form(&twenty_percent(), &usd()).unwrap();
        assert_eq!(
            (checked.kind, checked.value, checked.needs_code),
            ("percent_off", 2000, false)
        );
    }

    #[test]
    fn an_amount_off_is_kept_in_minor_units_and_must_be_positive() {
        let form = PromotionForm {
            kind: "amount_off".into(),
            amount: "10.50".into(),
            ..twenty_percent()
        };
        assert_eq!(check_form(&form, &usd()).unwrap().value, 1050);
        for bad in ["", "-5", "0", "abc", "1.999"] {
            let form = PromotionForm {
                kind: "amount_off".into(),
                amount: bad.into(),
                ..twenty_percent()
            };
            assert_eq!(
                fields(check_form(&form, &usd()).unwrap_err()),
                ["amount"],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_end_before_its_start_is_refused_next_to_the_end() {
        let form = PromotionForm {
            starts_at: "2026-12-10T09:00".into(),
            ends_at: "2026-12-01T09:00".into(),
            ..twenty_percent()
        };
        assert_eq!(fields(check_form(&form, &usd()).unwrap_err()), ["ends_at"]);
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let form = PromotionForm {
            name: "\u{0}".into(),
            kind: "buy_x_get_y".into(),
            percent: "150".into(),
            buy: "0".into(),
            get: "x".into(),
            products: "Not A Slug!".into(),
            min_subtotal: "-1".into(),
            usage_limit: "0".into(),
            trigger: "sometimes".into(),
            ..Default::default()
        };
        let got = fields(check_form(&form, &usd()).unwrap_err());
        for field in [
            "name",
            "percent",
            "buy",
            "get",
            "products",
            "min_subtotal",
            "usage_limit",
            "trigger",
        ] {
            assert!(
                got.iter().any(|f| f == field),
                "{field} missing from {got:?}"
            );
        }
    }

    #[test]
    fn buy_x_get_y_is_free_unless_a_percentage_is_given() {
        let form = PromotionForm {
            kind: "buy_x_get_y".into(),
            percent: String::new(),
            buy: "2".into(),
            get: "1".into(),
            ..twenty_percent()
        };
        let checked = check_form(&form, &usd()).unwrap();
        assert_eq!(
            (checked.value, checked.buy_quantity, checked.get_quantity),
            (10_000, Some(2), Some(1))
        );
    }

    #[test]
    fn generated_codes_use_letters_no_one_misreads() {
        let part = random_part(1000);
        assert_eq!(part.len(), 1000);
        assert!(!part.contains(['0', 'O', '1', 'I', 'L']));
        assert!(normalise_code(&format!("XMAS-{}-{}", random_part(4), random_part(4))).is_ok());
    }
}
