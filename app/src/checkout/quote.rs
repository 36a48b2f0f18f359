//! Reading what pricing needs from the database: store settings, shipping methods and the
//! tax rate of each category (inherited from the nearest ancestor that has one).

use crate::checkout::pricing::ShippingMethod;
use crate::error::AppError;
use crate::money::CurrencyCode;
use sqlx::PgConnection;
use std::collections::HashMap;

pub struct StoreSettings {
    pub currency: CurrencyCode,
    pub prices_include_tax: bool,
    pub default_tax_rate_bp: i32,
}

pub async fn store_settings(connection: &mut PgConnection) -> Result<StoreSettings, AppError> {
    let (currency, prices_include_tax, default_tax_rate_bp): (String, bool, i32) = sqlx::query_as(
        "SELECT currency, prices_include_tax, default_tax_rate_bp FROM store_settings",
    )
    .fetch_one(connection)
    .await?;
    Ok(StoreSettings {
        currency: CurrencyCode::parse(&currency).map_err(|_| AppError::Internal)?,
        prices_include_tax,
        default_tax_rate_bp,
    })
}

/// Active shipping methods in display order.
pub async fn shipping_methods(
    connection: &mut PgConnection,
) -> Result<Vec<ShippingMethod>, AppError> {
    Ok(sqlx::query_as::<_, ShippingMethod>(
        "SELECT code, name, price_minor, free_over_minor FROM shipping_methods
         WHERE is_active ORDER BY position, code",
    )
    .fetch_all(connection)
    .await?)
}

pub async fn shipping_method(
    connection: &mut PgConnection,
    code: &str,
) -> Result<ShippingMethod, AppError> {
    shipping_methods(connection)
        .await?
        .into_iter()
        .find(|m| m.code == code)
        .ok_or_else(|| AppError::invalid("Choose one of the shipping methods offered."))
}

/// Tax rates by category, with inheritance down the category tree.
pub struct TaxRates {
    parent_and_rate: HashMap<i64, (Option<i64>, Option<i32>)>,
    default_rate_bp: i32,
}

impl TaxRates {
    pub async fn load(
        connection: &mut PgConnection,
        default_rate_bp: i32,
    ) -> Result<Self, AppError> {
        let rows: Vec<(i64, Option<i64>, Option<i32>)> = sqlx::query_as(
            "SELECT c.id, c.parent_id, t.rate_bp FROM categories c LEFT JOIN tax_rates t ON t.category_id = c.id",
        )
        .fetch_all(connection)
        .await?;
        Ok(Self {
            parent_and_rate: rows
                .into_iter()
                .map(|(id, parent, rate)| (id, (parent, rate)))
                .collect(),
            default_rate_bp,
        })
    }

    /// The rate of the category, else of its nearest ancestor with one, else the default.
    pub fn rate_for(&self, category_id: i64) -> i32 {
        let mut current = Some(category_id);
        for _ in 0..=self.parent_and_rate.len() {
            let Some(id) = current else { break };
            match self.parent_and_rate.get(&id) {
                Some((_, Some(rate))) => return *rate,
                Some((parent, None)) => current = *parent,
                None => break,
            }
        }
        self.default_rate_bp
    }
}

/// The cart's lines and, for each shipping method, what the order would cost.
pub async fn checkout_quotes(
    pool: &sqlx::PgPool,
    cart_id: uuid::Uuid,
) -> Result<
    (
        Vec<crate::cart::model::CartLineView>,
        Vec<crate::checkout::model::ShippingQuote>,
        CurrencyCode,
    ),
    AppError,
> {
    use crate::checkout::pricing::{totals, LineToPrice};
    let lines = crate::cart::repo::cart_contents(pool, cart_id).await?;
    let mut connection = pool.acquire().await?;
    let settings = store_settings(&mut connection).await?;
    let tax_rates = TaxRates::load(&mut connection, settings.default_tax_rate_bp).await?;
    let to_price: Vec<LineToPrice> = lines
        .iter()
        .map(|line| LineToPrice {
            unit_price_minor: line.unit_price.minor_units,
            quantity: line.quantity,
            tax_rate_bp: tax_rates.rate_for(line.category_id),
        })
        .collect();
    let quotes = shipping_methods(&mut connection)
        .await?
        .into_iter()
        .map(|method| crate::checkout::model::ShippingQuote {
            totals: totals(&to_price, &method, settings.prices_include_tax),
            method,
        })
        .collect();
    Ok((lines, quotes, settings.currency))
}
