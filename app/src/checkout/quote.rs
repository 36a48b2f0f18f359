//! What the shopper's cart would cost with each shipping method: the checkout's quote.

use crate::kernel::error::AppError;
use crate::kernel::money::CurrencyCode;
use crate::pricing::rates::{shipping_methods, store_settings, TaxRates};

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
    use crate::pricing::{totals, LineToPrice};
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
