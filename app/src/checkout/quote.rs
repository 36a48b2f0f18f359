//! What the shopper's cart would cost with each shipping method, promotions taken off:
//! the checkout's quote.

use crate::cart::model::CartLineView;
use crate::checkout::model::ShippingQuote;
use crate::kernel::error::AppError;
use crate::kernel::money::CurrencyCode;
use crate::pricing::rates::{shipping_methods, store_settings, TaxRates};
use crate::promotions::repo::{cart_offers, code_left_out, Customer};
use crate::promotions::{discount_lines, price_cart, LineForPricing};

/// The cart's lines, a quote per shipping method, and the state of its discount code.
pub struct CheckoutQuotes {
    pub lines: Vec<CartLineView>,
    pub quotes: Vec<ShippingQuote>,
    pub currency: CurrencyCode,
    pub code: Option<String>,
    /// Why the cart's code cannot be used (unknown, expired, conditions not met...).
    pub code_problem: Option<String>,
    /// The code is fine but left out: it does not combine with better promotions.
    pub code_note: Option<String>,
}

pub async fn checkout_quotes(
    pool: &sqlx::PgPool,
    cart_id: uuid::Uuid,
) -> Result<CheckoutQuotes, AppError> {
    let lines = crate::cart::repo::cart_contents(pool, cart_id).await?;
    let mut connection = pool.acquire().await?;
    let settings = store_settings(&mut connection).await?;
    let tax_rates = TaxRates::load(&mut connection, settings.default_tax_rate_bp).await?;
    let items = crate::cart::discounts::items_of(&lines);
    let customer = Customer::of_cart(cart_id, None);
    let offers = cart_offers(
        &mut connection,
        cart_id,
        &items,
        &customer,
        &settings.currency,
    )
    .await?;
    let to_price: Vec<LineForPricing> = lines
        .iter()
        .zip(&items)
        .map(|(line, item)| LineForPricing {
            item: *item,
            tax_rate_bp: tax_rates.rate_for(line.category_id),
        })
        .collect();
    let mut code_note = None;
    let quotes: Vec<ShippingQuote> = shipping_methods(&mut connection)
        .await?
        .into_iter()
        .map(|method| {
            let (totals, discounts) = price_cart(
                &to_price,
                &method,
                &offers.offers,
                settings.prices_include_tax,
            );
            if let (Some(code), None) = (&offers.code, &offers.code_problem) {
                code_note = code_note.take().or_else(|| code_left_out(code, &discounts));
            }
            ShippingQuote {
                discounts: discount_lines(&discounts, &settings.currency),
                totals,
                method,
            }
        })
        .collect();
    Ok(CheckoutQuotes {
        lines,
        quotes,
        currency: settings.currency,
        code: offers.code,
        code_problem: offers.code_problem,
        code_note,
    })
}
