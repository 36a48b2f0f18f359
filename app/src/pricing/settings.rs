//! Changing shipping and tax from the staff area: store-wide tax, shipping methods and
//! each category's own tax rate. Every change is checked first (field errors, nothing
//! written) and audited in its own transaction; the checkout reads the new values on its
//! next quote (`pricing::rates`).

use crate::audit::{record, Actor, Change};
use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::{major_units_text, store_currency, CurrencyCode, Money};
use crate::pricing::model::{
    CategoryRateForm, CategoryRateRow, PricingSettings, ShippingMethodForm, ShippingMethodRow,
    TaxRate, TaxSettingsForm,
};
use sqlx::PgPool;

fn rate_text(basis_points: i32) -> String {
    TaxRate::from_basis_points(basis_points)
        .map_or_else(|| basis_points.to_string(), TaxRate::percent_text)
}

/// What `/admin/shipping-tax` shows.
pub async fn overview(pool: &PgPool) -> Result<PricingSettings, AppError> {
    let (currency, prices_include_tax, default_rate_bp): (String, bool, i32) = sqlx::query_as(
        "SELECT currency, prices_include_tax, default_tax_rate_bp FROM store_settings",
    )
    .fetch_one(pool)
    .await?;
    let code = CurrencyCode::parse(&currency).map_err(|_| AppError::Internal)?;
    let methods: Vec<(String, String, i64, Option<i64>, i32, bool)> = sqlx::query_as(
        "SELECT code, name, price_minor, free_over_minor, position, is_active
         FROM shipping_methods ORDER BY position, code",
    )
    .fetch_all(pool)
    .await?;
    let categories: Vec<(i64, String, Option<i32>)> = sqlx::query_as(
        "WITH RECURSIVE paths AS (
             SELECT id, name::text AS path FROM categories WHERE parent_id IS NULL
             UNION ALL
             SELECT c.id, p.path || ' › ' || c.name FROM categories c JOIN paths p ON c.parent_id = p.id)
         SELECT p.id, p.path, t.rate_bp FROM paths p LEFT JOIN tax_rates t ON t.category_id = p.id
         ORDER BY p.path",
    )
    .fetch_all(pool)
    .await?;
    Ok(PricingSettings {
        currency,
        prices_include_tax,
        default_rate: rate_text(default_rate_bp),
        methods: methods
            .into_iter()
            .map(
                |(code_, name, price, free_over, position, active)| ShippingMethodRow {
                    code: code_,
                    name,
                    price: major_units_text(price, &code),
                    free_over: free_over
                        .map(|f| major_units_text(f, &code))
                        .unwrap_or_default(),
                    position,
                    active,
                },
            )
            .collect(),
        category_rates: categories
            .iter()
            .filter_map(|(id, path, rate)| {
                rate.map(|rate| CategoryRateRow {
                    category_id: *id,
                    category: path.clone(),
                    rate: rate_text(rate),
                })
            })
            .collect(),
        categories: categories
            .into_iter()
            .map(|(id, path, _)| (id, path))
            .collect(),
    })
}

fn rate_field(field: &str, text: &str, errors: &mut Vec<FieldError>) -> i32 {
    match TaxRate::parse(text) {
        Ok(rate) => rate.basis_points(),
        Err(problem) => {
            errors.push(FieldError::new(field, problem));
            0
        }
    }
}

/// Sets whether prices include tax and the default rate.
pub async fn save_tax(
    pool: &PgPool,
    actor: &Actor,
    form: &TaxSettingsForm,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let rate = rate_field("default_rate", &form.default_rate, &mut errors);
    AppError::from_field_errors(errors)?;
    let include = form.prices_include_tax.is_some();
    let mut tx = pool.begin().await?;
    let (before_include, before_rate): (bool, i32) = sqlx::query_as(
        "SELECT prices_include_tax, default_tax_rate_bp FROM store_settings FOR UPDATE",
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE store_settings SET prices_include_tax = $1, default_tax_rate_bp = $2")
        .bind(include)
        .bind(rate)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "settings.tax",
            entity_type: "store_settings",
            entity_id: "tax".to_owned(),
            before: Some(serde_json::json!({ "prices_include_tax": before_include, "default_tax_rate_bp": before_rate })),
            after: Some(serde_json::json!({ "prices_include_tax": include, "default_tax_rate_bp": rate })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn amount_field(
    field: &str,
    text: &str,
    currency: &CurrencyCode,
    errors: &mut Vec<FieldError>,
) -> i64 {
    match Money::parse_major(text, currency) {
        Ok(money) => money.minor_units,
        Err(error) => {
            errors.push(FieldError::new(
                field,
                format!("Enter an amount such as 4.95 ({error})."),
            ));
            0
        }
    }
}

/// Adds a shipping method (no `code`) or changes one. At least one method stays active:
/// without one nobody can check out.
pub async fn save_method(
    pool: &PgPool,
    actor: &Actor,
    form: &ShippingMethodForm,
) -> Result<String, AppError> {
    let currency = store_currency();
    let mut errors = Vec::new();
    let name = form.name.trim();
    if !(1..=100).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "Name the method in up to 100 characters, e.g. Pick up in store.",
        ));
    }
    let price = amount_field("price", &form.price, &currency, &mut errors);
    let free_over = match form.free_over.trim() {
        "" => None,
        text => Some(amount_field("free_over", text, &currency, &mut errors)),
    };
    // Empty: a new method goes last, a changed one keeps its place.
    let position = match form.position.trim() {
        "" => None,
        text => Some(
            text.parse::<i32>()
                .ok()
                .filter(|p| (0..=1000).contains(p))
                .unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "position",
                        "A whole number from 0 to 1,000 (lowest is listed first).",
                    ));
                    0
                }),
        ),
    };
    let code = match form.code.trim() {
        "" => crate::kernel::slug::slug_from(name),
        code => code.to_owned(),
    };
    if !crate::kernel::slug::is_valid_slug(&code) || code.len() > 60 {
        errors.push(FieldError::new(
            "name",
            "Use letters or digits in the name.",
        ));
    }
    AppError::from_field_errors(errors)?;
    let active = form.active.is_some();
    let mut tx = pool.begin().await?;
    // Methods are locked together: two staff members cannot each turn off "the other" one.
    let existing: Vec<(String, bool)> =
        sqlx::query_as("SELECT code, is_active FROM shipping_methods ORDER BY code FOR UPDATE")
            .fetch_all(&mut *tx)
            .await?;
    let is_new = form.code.trim().is_empty();
    if is_new && existing.iter().any(|(known, _)| *known == code) {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "name",
            "A method with this name exists: change that one instead.",
        )]));
    }
    if !is_new && !existing.iter().any(|(known, _)| *known == code) {
        return Err(AppError::not_found("There is no such shipping method."));
    }
    let others_active = existing.iter().any(|(known, on)| *on && *known != code);
    if !active && !others_active {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "active",
            "Keep at least one method active: without one nobody can check out.",
        )]));
    }
    let before: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT to_jsonb(m) FROM shipping_methods m WHERE code = $1")
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO shipping_methods (code, name, price_minor, free_over_minor, position, is_active)
         VALUES ($1, $2, $3, $4,
                 coalesce($5, (SELECT coalesce(max(position) + 1, 0) FROM shipping_methods)), $6)
         ON CONFLICT (code) DO UPDATE SET name = $2, price_minor = $3, free_over_minor = $4,
             position = coalesce($5, shipping_methods.position), is_active = $6",
    )
    .bind(&code)
    .bind(name)
    .bind(price)
    .bind(free_over)
    .bind(position)
    .bind(active)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: if is_new { "shipping_method.add" } else { "shipping_method.change" },
            entity_type: "shipping_method",
            entity_id: code.clone(),
            before,
            after: Some(serde_json::json!({ "name": name, "price_minor": price, "free_over_minor": free_over, "position": position, "is_active": active })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Gives a category its own rate (it and its subcategories without one use it), or with
/// an empty rate removes it.
pub async fn set_category_rate(
    pool: &PgPool,
    actor: &Actor,
    form: &CategoryRateForm,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let rate = match form.rate.trim() {
        "" => None,
        text => Some(rate_field("rate", text, &mut errors)),
    };
    AppError::from_field_errors(errors)?;
    let mut tx = pool.begin().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)")
        .bind(form.category_id)
        .fetch_one(&mut *tx)
        .await?;
    if !exists {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "category_id",
            "Choose a category.",
        )]));
    }
    let before: Option<i32> =
        sqlx::query_scalar("SELECT rate_bp FROM tax_rates WHERE category_id = $1 FOR UPDATE")
            .bind(form.category_id)
            .fetch_optional(&mut *tx)
            .await?;
    match rate {
        Some(rate) => {
            sqlx::query(
                "INSERT INTO tax_rates (category_id, rate_bp) VALUES ($1, $2)
                 ON CONFLICT (category_id) DO UPDATE SET rate_bp = $2",
            )
            .bind(form.category_id)
            .bind(rate)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM tax_rates WHERE category_id = $1")
                .bind(form.category_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    record(
        &mut tx,
        actor,
        Change {
            action: if rate.is_some() {
                "tax_rate.set"
            } else {
                "tax_rate.remove"
            },
            entity_type: "category",
            entity_id: form.category_id.to_string(),
            before: before.map(|bp| serde_json::json!({ "rate_bp": bp })),
            after: rate.map(|bp| serde_json::json!({ "rate_bp": bp })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
