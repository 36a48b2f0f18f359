//! Changing shipping and tax from the staff area: whether prices include tax, zones,
//! tax categories and their rates per zone, the tax category of product categories, and
//! shipping methods with their rates. Every change is checked first (field errors,
//! nothing written) and audited in its own transaction; the checkout reads the new values
//! on its next quote (`pricing::rates`).

use crate::audit::{record, Actor, Change};
use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::{major_units_text, store_currency, CurrencyCode, Money};
use crate::pricing::model::{
    areas_text, parse_areas, parse_grams, CategoryTaxForm, CategoryTaxRow, PricingSettings,
    ShippingMethodForm, ShippingMethodRow, TaxCategoryForm, TaxCategoryRow, TaxRate,
    TaxSettingsForm, ZoneArea, ZoneForm, ZoneRatesForm, ZoneRow,
};
use crate::pricing::{RateBand, RateBasis};
use sqlx::PgPool;
use std::collections::HashMap;

fn rate_text(basis_points: i32) -> String {
    TaxRate::from_basis_points(basis_points)
        .map_or_else(|| basis_points.to_string(), TaxRate::percent_text)
}

/// Bands as the field shows them: one "from price" per line, value in major units.
fn bands_text(basis: RateBasis, bands: &[RateBand], currency: &CurrencyCode) -> String {
    bands
        .iter()
        .map(|band| {
            let from = match basis {
                RateBasis::OrderValue => major_units_text(band.from, currency),
                _ => band.from.to_string(),
            };
            format!("{from} {}", major_units_text(band.price_minor, currency))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `/admin/shipping-tax` shows.
pub async fn overview(pool: &PgPool) -> Result<PricingSettings, AppError> {
    let (currency, prices_include_tax): (String, bool) =
        sqlx::query_as("SELECT currency, prices_include_tax FROM store_settings")
            .fetch_one(pool)
            .await?;
    let code = CurrencyCode::parse(&currency).map_err(|_| AppError::Internal)?;
    let mut connection = pool.acquire().await?;
    let methods = crate::pricing::rates::all_shipping_methods(&mut connection).await?;
    let tax_categories: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT id, name, is_default FROM tax_categories ORDER BY NOT is_default, name",
    )
    .fetch_all(&mut *connection)
    .await?;
    let rates: HashMap<(i64, i64), i32> = sqlx::query_as::<_, (i64, i64, i32)>(
        "SELECT zone_id, tax_category_id, rate_bp FROM zone_tax_rates",
    )
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .map(|(zone, class, rate)| ((zone, class), rate))
    .collect();
    let zones: Vec<(i64, String, bool, bool, i32)> = sqlx::query_as(
        "SELECT id, name, rest_of_world, shipping_taxable, position FROM shipping_zones
         ORDER BY position, name",
    )
    .fetch_all(&mut *connection)
    .await?;
    let areas: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT zone_id, country, postal_prefix FROM zone_areas ORDER BY country, postal_prefix",
    )
    .fetch_all(&mut *connection)
    .await?;
    let categories: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "WITH RECURSIVE paths AS (
             SELECT id, name::text AS path FROM categories WHERE parent_id IS NULL
             UNION ALL
             SELECT c.id, p.path || ' › ' || c.name FROM categories c JOIN paths p ON c.parent_id = p.id)
         SELECT p.id, p.path, c.tax_category_id FROM paths p JOIN categories c ON c.id = p.id
         ORDER BY p.path",
    )
    .fetch_all(&mut *connection)
    .await?;
    Ok(PricingSettings {
        currency,
        prices_include_tax,
        zones: zones
            .into_iter()
            .map(|(id, name, rest_of_world, shipping_taxable, position)| {
                let own: Vec<ZoneArea> = areas
                    .iter()
                    .filter(|(zone, _, _)| *zone == id)
                    .map(|(_, country, prefix)| ZoneArea {
                        country: country.clone(),
                        postal_prefix: prefix.clone(),
                    })
                    .collect();
                ZoneRow {
                    id,
                    name,
                    areas: areas_text(&own),
                    rest_of_world,
                    shipping_taxable,
                    position,
                    rates: tax_categories
                        .iter()
                        .map(|(class, _, _)| {
                            rate_text(rates.get(&(id, *class)).copied().unwrap_or(0))
                        })
                        .collect(),
                }
            })
            .collect(),
        methods: methods
            .into_iter()
            .map(|(method, position, active)| {
                let price_summary = match method.basis {
                    RateBasis::Flat => major_units_text(method.price_minor, &code),
                    RateBasis::OrderValue => format!(
                        "from {} by order value",
                        major_units_text(method.lowest_price_minor(), &code)
                    ),
                    RateBasis::Weight => format!(
                        "from {} by weight",
                        major_units_text(method.lowest_price_minor(), &code)
                    ),
                };
                ShippingMethodRow {
                    bands: bands_text(method.basis, &method.bands, &code),
                    price: major_units_text(method.price_minor, &code),
                    free_over: method
                        .free_over_minor
                        .map(|f| major_units_text(f, &code))
                        .unwrap_or_default(),
                    basis: method.basis.as_str().to_owned(),
                    code: method.code,
                    name: method.name,
                    zone_id: method.zone_id,
                    zone_name: method.zone_name,
                    price_summary,
                    position,
                    active,
                }
            })
            .collect(),
        tax_categories: tax_categories
            .into_iter()
            .map(|(id, name, is_default)| TaxCategoryRow {
                id,
                name,
                is_default,
            })
            .collect(),
        categories: categories
            .into_iter()
            .map(|(category_id, category, tax_category_id)| CategoryTaxRow {
                category_id,
                category,
                tax_category_id,
            })
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

fn name_field(field: &str, text: &str, example: &str, errors: &mut Vec<FieldError>) -> String {
    let name = text.trim();
    if !(1..=100).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("Name it in up to 100 characters, e.g. {example}."),
        ));
    }
    name.to_owned()
}

fn position_field(text: &str, errors: &mut Vec<FieldError>) -> Option<i32> {
    match text.trim() {
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
    }
}

/// Sets whether catalog prices include tax.
pub async fn save_tax(
    pool: &PgPool,
    actor: &Actor,
    form: &TaxSettingsForm,
) -> Result<(), AppError> {
    let include = form.prices_include_tax.is_some();
    let mut tx = pool.begin().await?;
    let before: bool =
        sqlx::query_scalar("SELECT prices_include_tax FROM store_settings FOR UPDATE")
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("UPDATE store_settings SET prices_include_tax = $1")
        .bind(include)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "settings.tax",
            entity_type: "store_settings",
            entity_id: "tax".to_owned(),
            before: Some(serde_json::json!({ "prices_include_tax": before })),
            after: Some(serde_json::json!({ "prices_include_tax": include })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a zone (no `id`) or changes one, with its areas. An area already in another zone
/// is named rather than moved silently; one zone at most holds the rest of the world.
pub async fn save_zone(pool: &PgPool, actor: &Actor, form: &ZoneForm) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let name = name_field("name", &form.name, "Europe", &mut errors);
    let areas = parse_areas(&form.areas).unwrap_or_else(|problem| {
        errors.push(FieldError::new("areas", problem));
        Vec::new()
    });
    let rest_of_world = form.rest_of_world.is_some();
    if errors.is_empty() && areas.is_empty() && !rest_of_world {
        errors.push(FieldError::new(
            "areas",
            "List at least one country (e.g. DE, AT) or make it the rest of the world.",
        ));
    }
    let position = position_field(&form.position, &mut errors);
    let id = match form.id.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return Err(AppError::not_found("There is no such zone.")),
        },
    };
    AppError::from_field_errors(errors)?;
    let shipping_taxable = form.shipping_taxable.is_some();
    let mut tx = pool.begin().await?;
    // Zones change one at a time: two staff members cannot both take the same country.
    sqlx::query("LOCK TABLE shipping_zones IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let before: Option<serde_json::Value> = match id {
        Some(id) => Some(
            sqlx::query_scalar(
                "SELECT to_jsonb(z) || jsonb_build_object('areas',
                     (SELECT coalesce(jsonb_agg(a.country || ':' || a.postal_prefix ORDER BY a.country, a.postal_prefix), '[]')
                      FROM zone_areas a WHERE a.zone_id = z.id))
                 FROM shipping_zones z WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such zone."))?,
        ),
        None => None,
    };
    let clash: Option<(String, String)> = sqlx::query_as(
        "SELECT z.name, a.country || CASE WHEN a.postal_prefix = '' THEN '' ELSE ': ' || a.postal_prefix END
         FROM zone_areas a JOIN shipping_zones z ON z.id = a.zone_id
         WHERE z.id IS DISTINCT FROM $1
           AND (a.country, a.postal_prefix) IN (SELECT * FROM unnest($2::text[], $3::text[]))
         LIMIT 1",
    )
    .bind(id)
    .bind(areas.iter().map(|a| a.country.clone()).collect::<Vec<_>>())
    .bind(areas.iter().map(|a| a.postal_prefix.clone()).collect::<Vec<_>>())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((zone, area)) = clash {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "areas",
            format!("{area} is already in the zone {zone}: take it out there first."),
        )]));
    }
    let taken_name: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM shipping_zones WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2)",
    )
    .bind(&name)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if taken_name {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "name",
            "Another zone has this name.",
        )]));
    }
    if rest_of_world {
        let other: Option<String> = sqlx::query_scalar(
            "SELECT name FROM shipping_zones WHERE rest_of_world AND id IS DISTINCT FROM $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(other) = other {
            return Err(AppError::InvalidFields(vec![FieldError::new(
                "rest_of_world",
                format!("{other} already holds the rest of the world: untick it there first."),
            )]));
        }
    }
    let zone_id: i64 = sqlx::query_scalar(
        "INSERT INTO shipping_zones (id, name, rest_of_world, shipping_taxable, position)
         OVERRIDING SYSTEM VALUE
         VALUES (coalesce($1, nextval(pg_get_serial_sequence('shipping_zones', 'id'))), $2, $3, $4,
                 coalesce($5, (SELECT coalesce(max(position) + 1, 0) FROM shipping_zones)))
         ON CONFLICT (id) DO UPDATE SET name = $2, rest_of_world = $3, shipping_taxable = $4,
             position = coalesce($5, shipping_zones.position)
         RETURNING id",
    )
    .bind(id)
    .bind(&name)
    .bind(rest_of_world)
    .bind(shipping_taxable)
    .bind(position)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM zone_areas WHERE zone_id = $1")
        .bind(zone_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO zone_areas (zone_id, country, postal_prefix)
         SELECT $1, * FROM unnest($2::text[], $3::text[])",
    )
    .bind(zone_id)
    .bind(areas.iter().map(|a| a.country.clone()).collect::<Vec<_>>())
    .bind(
        areas
            .iter()
            .map(|a| a.postal_prefix.clone())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: if id.is_some() {
                "zone.change"
            } else {
                "zone.add"
            },
            entity_type: "shipping_zone",
            entity_id: zone_id.to_string(),
            before,
            after: Some(serde_json::json!({
                "name": name, "areas": areas_text(&areas), "rest_of_world": rest_of_world,
                "shipping_taxable": shipping_taxable, "position": position,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(zone_id)
}

/// Sets a zone's rate for each tax category (an empty rate is 0 %).
pub async fn save_zone_rates(
    pool: &PgPool,
    actor: &Actor,
    form: &ZoneRatesForm,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let mut rates: Vec<(i64, i32)> = Vec::new();
    for (class, text) in &form.rates {
        let Ok(class) = class.parse::<i64>() else {
            return Err(AppError::invalid("Unknown tax category."));
        };
        let rate = match text.trim() {
            "" => 0,
            text => rate_field(&format!("rate_{class}"), text, &mut errors),
        };
        rates.push((class, rate));
    }
    AppError::from_field_errors(errors)?;
    let mut tx = pool.begin().await?;
    let zone: Option<String> =
        sqlx::query_scalar("SELECT name FROM shipping_zones WHERE id = $1 FOR UPDATE")
            .bind(form.zone_id)
            .fetch_optional(&mut *tx)
            .await?;
    if zone.is_none() {
        return Err(AppError::not_found("There is no such zone."));
    }
    let known: Vec<i64> = sqlx::query_scalar("SELECT id FROM tax_categories")
        .fetch_all(&mut *tx)
        .await?;
    if rates.iter().any(|(class, _)| !known.contains(class)) {
        return Err(AppError::invalid("Unknown tax category."));
    }
    let before: serde_json::Value = sqlx::query_scalar(
        "SELECT coalesce(jsonb_object_agg(tax_category_id::text, rate_bp), '{}')
         FROM zone_tax_rates WHERE zone_id = $1",
    )
    .bind(form.zone_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
         SELECT $1, * FROM unnest($2::bigint[], $3::int[])
         ON CONFLICT (zone_id, tax_category_id) DO UPDATE SET rate_bp = excluded.rate_bp",
    )
    .bind(form.zone_id)
    .bind(rates.iter().map(|(class, _)| *class).collect::<Vec<_>>())
    .bind(rates.iter().map(|(_, rate)| *rate).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "tax_rates.set",
            entity_type: "shipping_zone",
            entity_id: form.zone_id.to_string(),
            before: Some(before),
            after: Some(serde_json::Value::Object(
                rates
                    .iter()
                    .map(|(class, rate)| (class.to_string(), serde_json::json!(rate)))
                    .collect(),
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a tax category (its rates start at 0 % in every zone).
pub async fn add_tax_category(
    pool: &PgPool,
    actor: &Actor,
    form: &TaxCategoryForm,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let name = name_field("name", &form.name, "Reduced (food, books)", &mut errors);
    AppError::from_field_errors(errors)?;
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO tax_categories (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(&name)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "name",
            "A tax category with this name exists.",
        )]));
    };
    record(
        &mut tx,
        actor,
        Change {
            action: "tax_category.add",
            entity_type: "tax_category",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Gives a product category a tax category (it and its subcategories without one use
/// it), or with an empty choice takes it away (it then follows its parent).
pub async fn set_category_tax(
    pool: &PgPool,
    actor: &Actor,
    form: &CategoryTaxForm,
) -> Result<(), AppError> {
    let class = match form.tax_category_id.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            AppError::InvalidFields(vec![FieldError::new(
                "tax_category_id",
                "Choose a tax category.",
            )])
        })?),
    };
    let mut tx = pool.begin().await?;
    let before: Option<Option<i64>> =
        sqlx::query_scalar("SELECT tax_category_id FROM categories WHERE id = $1 FOR UPDATE")
            .bind(form.category_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(before) = before else {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "category_id",
            "Choose a category.",
        )]));
    };
    if let Some(class) = class {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tax_categories WHERE id = $1)")
                .bind(class)
                .fetch_one(&mut *tx)
                .await?;
        if !known {
            return Err(AppError::InvalidFields(vec![FieldError::new(
                "tax_category_id",
                "Choose a tax category.",
            )]));
        }
    }
    sqlx::query("UPDATE categories SET tax_category_id = $2 WHERE id = $1")
        .bind(form.category_id)
        .bind(class)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "category.tax_category",
            entity_type: "category",
            entity_id: form.category_id.to_string(),
            before: Some(serde_json::json!({ "tax_category_id": before })),
            after: Some(serde_json::json!({ "tax_category_id": class })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "0 4.95\n2000 8.95" → bands, ascending; the lower bounds are grams (`Weight`) or the
/// order's value in major units (`OrderValue`).
pub fn parse_bands(
    text: &str,
    basis: RateBasis,
    currency: &CurrencyCode,
) -> Result<Vec<RateBand>, String> {
    let example = match basis {
        RateBasis::Weight => "one band per line, from grams and price: 0 4.95, then 2000 8.95",
        _ => "one band per line, from order value and price: 0 9.95, then 50 4.95",
    };
    let problem = |line: &str| {
        format!(
            "Write {example} (not “{}”).",
            line.chars().take(30).collect::<String>()
        )
    };
    let mut bands: Vec<RateBand> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut words = line.split_whitespace();
        let (Some(from), Some(price), None) = (words.next(), words.next(), words.next()) else {
            return Err(problem(line));
        };
        let from = match basis {
            RateBasis::Weight => parse_grams(from).map_err(|_| problem(line))?,
            _ => {
                Money::parse_major(from, currency)
                    .map_err(|_| problem(line))?
                    .minor_units
            }
        };
        let price = Money::parse_major(price, currency)
            .map_err(|_| problem(line))?
            .minor_units;
        if bands.iter().any(|b| b.from == from) {
            return Err(format!("Two bands start at {from}: keep one."));
        }
        bands.push(RateBand {
            from,
            price_minor: price,
        });
    }
    if bands.is_empty() {
        return Err(format!("Rates by band need at least one band: {example}."));
    }
    if bands.len() > 50 {
        return Err("At most 50 bands.".to_owned());
    }
    bands.sort_by_key(|b| b.from);
    Ok(bands)
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
    let name = name_field("name", &form.name, "Pick up in store", &mut errors);
    let name = name.as_str();
    let basis = match form.basis.trim() {
        "" => Some(RateBasis::Flat),
        text => RateBasis::parse(text),
    }
    .unwrap_or_else(|| {
        errors.push(FieldError::new(
            "basis",
            "Choose a flat price, bands by order value or bands by weight.",
        ));
        RateBasis::Flat
    });
    let zone_id = form.zone_id.trim().parse::<i64>().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            "zone_id",
            "Choose the zone it delivers to.",
        ));
        0
    });
    let price = match (basis, form.price.trim()) {
        (RateBasis::Flat, text) => amount_field("price", text, &currency, &mut errors),
        (_, "") => 0,
        (_, text) => amount_field("price", text, &currency, &mut errors),
    };
    let bands = match basis {
        RateBasis::Flat => Vec::new(),
        _ => parse_bands(&form.bands, basis, &currency).unwrap_or_else(|problem| {
            errors.push(FieldError::new("bands", problem));
            Vec::new()
        }),
    };
    let free_over = match form.free_over.trim() {
        "" => None,
        text => Some(amount_field("free_over", text, &currency, &mut errors)),
    };
    // Empty: a new method goes last, a changed one keeps its place.
    let position = position_field(&form.position, &mut errors);
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
    let zone_known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM shipping_zones WHERE id = $1)")
            .bind(zone_id)
            .fetch_one(&mut *tx)
            .await?;
    if !zone_known {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "zone_id",
            "Choose the zone it delivers to.",
        )]));
    }
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
        sqlx::query_scalar(
            "SELECT to_jsonb(m) || jsonb_build_object('bands',
                 (SELECT coalesce(jsonb_agg(jsonb_build_array(b.from_amount, b.price_minor) ORDER BY b.from_amount), '[]')
                  FROM shipping_rate_bands b WHERE b.method_code = m.code))
             FROM shipping_methods m WHERE code = $1",
        )
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO shipping_methods (code, name, price_minor, free_over_minor, position, is_active, zone_id, rate_basis)
         VALUES ($1, $2, $3, $4,
                 coalesce($5, (SELECT coalesce(max(position) + 1, 0) FROM shipping_methods)), $6, $7, $8)
         ON CONFLICT (code) DO UPDATE SET name = $2, price_minor = $3, free_over_minor = $4,
             position = coalesce($5, shipping_methods.position), is_active = $6, zone_id = $7,
             rate_basis = $8",
    )
    .bind(&code)
    .bind(name)
    .bind(price)
    .bind(free_over)
    .bind(position)
    .bind(active)
    .bind(zone_id)
    .bind(basis.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM shipping_rate_bands WHERE method_code = $1")
        .bind(&code)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO shipping_rate_bands (method_code, from_amount, price_minor)
         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[])",
    )
    .bind(&code)
    .bind(bands.iter().map(|b| b.from).collect::<Vec<_>>())
    .bind(bands.iter().map(|b| b.price_minor).collect::<Vec<_>>())
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
            after: Some(serde_json::json!({
                "name": name, "zone_id": zone_id, "rate_basis": basis.as_str(), "price_minor": price,
                "bands": bands.iter().map(|b| [b.from, b.price_minor]).collect::<Vec<_>>(),
                "free_over_minor": free_over, "position": position, "is_active": active,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}
