//! Reading what pricing needs from the database: store settings, the zone of an address,
//! the shipping methods of zones and the tax rates of a zone by tax category.

use crate::kernel::error::AppError;
use crate::kernel::money::CurrencyCode;
use crate::pricing::{RateBand, RateBasis, ShippingMethod};
use sqlx::PgConnection;
use std::collections::HashMap;

pub struct StoreSettings {
    pub currency: CurrencyCode,
    pub prices_include_tax: bool,
}

pub async fn store_settings(connection: &mut PgConnection) -> Result<StoreSettings, AppError> {
    let (currency, prices_include_tax): (String, bool) =
        sqlx::query_as("SELECT currency, prices_include_tax FROM store_settings")
            .fetch_one(connection)
            .await?;
    Ok(StoreSettings {
        currency: CurrencyCode::parse(&currency).map_err(|_| AppError::Internal)?,
        prices_include_tax,
    })
}

/// A shipping zone as pricing uses it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Zone {
    pub id: i64,
    pub name: String,
    pub shipping_taxable: bool,
}

/// Postal codes as zone areas hold their prefixes: upper case, letters and digits only.
pub fn postal_key(postal_code: &str) -> String {
    postal_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The zone an address belongs to: its most specific area (longest matching postal-code
/// prefix, a whole country being the empty prefix), else the rest-of-the-world zone.
/// `None`: the store does not ship there.
pub async fn zone_for_address(
    connection: &mut PgConnection,
    country: &str,
    postal_code: &str,
) -> Result<Option<Zone>, AppError> {
    Ok(sqlx::query_as::<_, Zone>(
        "SELECT id, name, shipping_taxable FROM (
             SELECT z.id, z.name, z.shipping_taxable, length(a.postal_prefix) AS specificity
             FROM zone_areas a JOIN shipping_zones z ON z.id = a.zone_id
             WHERE a.country = $1 AND starts_with($2, a.postal_prefix)
             UNION ALL
             SELECT id, name, shipping_taxable, -1 FROM shipping_zones WHERE rest_of_world
         ) candidates ORDER BY specificity DESC LIMIT 1",
    )
    .bind(country)
    .bind(postal_key(postal_code))
    .fetch_optional(connection)
    .await?)
}

/// The country checkout starts with: the first country of the first zone, else the US.
pub async fn default_country(connection: &mut PgConnection) -> Result<String, AppError> {
    let first: Option<String> = sqlx::query_scalar(
        "SELECT a.country FROM zone_areas a JOIN shipping_zones z ON z.id = a.zone_id
         ORDER BY z.position, z.name, a.postal_prefix, a.country LIMIT 1",
    )
    .fetch_optional(connection)
    .await?;
    Ok(first.unwrap_or_else(|| "US".to_owned()))
}

/// The zones an address in `country` may belong to before its postal code is known: those
/// with an area in the country, and the zone of the rest of the country.
pub async fn zones_for_country(
    connection: &mut PgConnection,
    country: &str,
) -> Result<Vec<Zone>, AppError> {
    Ok(sqlx::query_as::<_, Zone>(
        "SELECT z.id, z.name, z.shipping_taxable FROM shipping_zones z
         WHERE EXISTS (SELECT 1 FROM zone_areas a WHERE a.zone_id = z.id AND a.country = $1)
            OR (z.rest_of_world AND NOT EXISTS (
                    SELECT 1 FROM zone_areas a WHERE a.country = $1 AND a.postal_prefix = ''))
         ORDER BY z.position, z.name",
    )
    .bind(country)
    .fetch_all(connection)
    .await?)
}

#[derive(sqlx::FromRow)]
struct MethodRow {
    code: String,
    name: String,
    zone_id: i64,
    zone_name: String,
    rate_basis: String,
    price_minor: i64,
    free_over_minor: Option<i64>,
    bands: sqlx::types::Json<Vec<(i64, i64)>>,
}

impl MethodRow {
    fn into_method(self) -> ShippingMethod {
        ShippingMethod {
            code: self.code,
            name: self.name,
            zone_id: self.zone_id,
            zone_name: self.zone_name,
            basis: RateBasis::parse(&self.rate_basis).unwrap_or_default(),
            price_minor: self.price_minor,
            bands: self
                .bands
                .0
                .into_iter()
                .map(|(from, price_minor)| RateBand { from, price_minor })
                .collect(),
            free_over_minor: self.free_over_minor,
        }
    }
}

const METHOD_SELECT: &str = "SELECT m.code, m.name, m.zone_id, z.name AS zone_name, m.rate_basis,
            m.price_minor, m.free_over_minor,
            coalesce((SELECT jsonb_agg(jsonb_build_array(b.from_amount, b.price_minor) ORDER BY b.from_amount)
                      FROM shipping_rate_bands b WHERE b.method_code = m.code), '[]') AS bands
     FROM shipping_methods m JOIN shipping_zones z ON z.id = m.zone_id";

/// Active shipping methods of the zones, in display order (zone, then method).
pub async fn shipping_methods(
    connection: &mut PgConnection,
    zone_ids: &[i64],
) -> Result<Vec<ShippingMethod>, AppError> {
    let rows = sqlx::query_as::<_, MethodRow>(&format!(
        "{METHOD_SELECT} WHERE m.is_active AND m.zone_id = ANY($1)
         ORDER BY z.position, z.name, m.position, m.code"
    ))
    .bind(zone_ids)
    .fetch_all(connection)
    .await?;
    Ok(rows.into_iter().map(MethodRow::into_method).collect())
}

/// Every shipping method, active or not, for the settings page.
pub async fn all_shipping_methods(
    connection: &mut PgConnection,
) -> Result<Vec<(ShippingMethod, i32, bool)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        method: MethodRow,
        position: i32,
        is_active: bool,
    }
    let rows = sqlx::query_as::<_, Row>(&format!(
        "SELECT listed.*, m.position, m.is_active FROM ({METHOD_SELECT}) listed
         JOIN shipping_methods m USING (code)
         JOIN shipping_zones z ON z.id = m.zone_id
         ORDER BY z.position, z.name, m.position, m.code"
    ))
    .fetch_all(connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.method.into_method(), row.position, row.is_active))
        .collect())
}

/// The active method `code` of `zone`, else what to choose instead.
pub async fn shipping_method_for(
    connection: &mut PgConnection,
    zone: &Zone,
    code: &str,
) -> Result<ShippingMethod, AppError> {
    let offered = shipping_methods(connection, &[zone.id]).await?;
    if let Some(method) = offered.iter().find(|m| m.code == code) {
        return Ok(method.clone());
    }
    let names: Vec<&str> = offered.iter().map(|m| m.name.as_str()).collect();
    Err(AppError::invalid(if names.is_empty() {
        format!("We do not deliver to this address ({}) yet.", zone.name)
    } else {
        format!(
            "This shipping method does not deliver to this address ({}). Choose {}.",
            zone.name,
            names.join(" or ")
        )
    }))
}

/// The message for an address in `country` (its code) that no zone holds.
pub fn not_delivered_message(country: &str) -> String {
    let name = crate::kernel::countries::country(country).map_or(country, |c| c.name);
    format!("We do not deliver to {name}. Choose another country or contact us.")
}

/// Tax rates of one zone by tax category, and the tax category of each category (its
/// own, else its nearest ancestor's, else the default).
/// Each category's parent and own tax category, by its id.
type CategoryClasses = HashMap<i64, (Option<i64>, Option<i64>)>;

pub struct TaxRates {
    parent_and_class: std::sync::Arc<CategoryClasses>,
    rates: HashMap<i64, i32>,
    default_class: i64,
    shipping_rate_bp: i32,
}

impl TaxRates {
    pub async fn load(connection: &mut PgConnection, zone: &Zone) -> Result<Self, AppError> {
        let mut loaded = Self::load_for_zones(connection, std::slice::from_ref(zone)).await?;
        loaded.pop().ok_or(AppError::Internal)
    }

    /// The rates of each zone, in the order given: the category tree and the rates are
    /// read once for all of them.
    pub async fn load_for_zones(
        connection: &mut PgConnection,
        zones: &[Zone],
    ) -> Result<Vec<Self>, AppError> {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT id, parent_id, tax_category_id FROM categories")
                .fetch_all(&mut *connection)
                .await?;
        let parent_and_class = std::sync::Arc::new(
            rows.into_iter()
                .map(|(id, parent, class)| (id, (parent, class)))
                .collect::<CategoryClasses>(),
        );
        let zone_ids: Vec<i64> = zones.iter().map(|z| z.id).collect();
        // Every tax category once per zone, with the zone's rate if it has one.
        let classes: Vec<(i64, i64, bool, Option<i32>)> = sqlx::query_as(
            "SELECT z.id, t.id, t.is_default, r.rate_bp
             FROM unnest($1::bigint[]) AS z(id) CROSS JOIN tax_categories t
             LEFT JOIN zone_tax_rates r ON r.tax_category_id = t.id AND r.zone_id = z.id",
        )
        .bind(&zone_ids)
        .fetch_all(&mut *connection)
        .await?;
        let default_class = classes
            .iter()
            .find(|(_, _, is_default, _)| *is_default)
            .map_or(0, |(_, id, _, _)| *id);
        Ok(zones
            .iter()
            .map(|zone| {
                let rates: HashMap<i64, i32> = classes
                    .iter()
                    .filter(|(zone_id, ..)| *zone_id == zone.id)
                    .map(|(_, id, _, rate)| (*id, rate.unwrap_or(0)))
                    .collect();
                let shipping_rate_bp = if zone.shipping_taxable {
                    rates.get(&default_class).copied().unwrap_or(0)
                } else {
                    0
                };
                Self {
                    parent_and_class: parent_and_class.clone(),
                    rates,
                    default_class,
                    shipping_rate_bp,
                }
            })
            .collect())
    }

    /// The product's own tax category, else its category's or the nearest ancestor's
    /// with one, else the default.
    pub fn class_for(&self, product_class: Option<i64>, category_id: i64) -> i64 {
        if let Some(class) = product_class {
            return class;
        }
        let mut current = Some(category_id);
        for _ in 0..=self.parent_and_class.len() {
            let Some(id) = current else { break };
            match self.parent_and_class.get(&id) {
                Some((_, Some(class))) => return *class,
                Some((parent, None)) => current = *parent,
                None => break,
            }
        }
        self.default_class
    }

    /// The zone's rate for a product (basis points; a category without a rate is 0 %).
    pub fn rate_for(&self, product_class: Option<i64>, category_id: i64) -> i32 {
        self.rates
            .get(&self.class_for(product_class, category_id))
            .copied()
            .unwrap_or(0)
    }

    /// The rate shipping is taxed at in this zone (0 where it is not taxed).
    pub fn shipping_rate_bp(&self) -> i32 {
        self.shipping_rate_bp
    }
}
