//! Reading what pricing needs from the database: store settings, shipping methods and the
//! tax rate of each category (inherited from the nearest ancestor that has one).

use crate::kernel::error::AppError;
use crate::kernel::money::CurrencyCode;
use crate::pricing::ShippingMethod;
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
