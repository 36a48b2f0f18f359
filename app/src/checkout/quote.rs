//! What the shopper's cart would cost with each shipping method offered where it goes,
//! promotions taken off and taxed at that zone's rates: the checkout's quote.

use crate::cart::model::CartLineView;
use crate::checkout::model::ShippingQuote;
use crate::kernel::error::AppError;
use crate::kernel::money::CurrencyCode;
use crate::pricing::rates::{
    not_delivered_message, shipping_methods, store_settings, zone_for_address, zones_for_country,
    TaxRates, Zone,
};
use crate::pricing::shipping::parcel_weight;
use crate::promotions::repo::{cart_offers, code_left_out, Customer};
use crate::promotions::{discount_lines, price_cart, LineForPricing};

/// Where the order goes, as far as the checkout knows it.
#[derive(Clone, Copy, Debug)]
pub enum Destination<'a> {
    /// Before the address is entered: every zone of the country is offered.
    Country(&'a str),
    /// The address's own zone.
    Address {
        country: &'a str,
        postal_code: &'a str,
    },
}

impl Destination<'_> {
    fn country(&self) -> &str {
        match self {
            Destination::Country(country) | Destination::Address { country, .. } => country,
        }
    }
}

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
    /// Why nothing is offered: no zone holds the destination.
    pub not_delivered: Option<String>,
}

pub async fn checkout_quotes(
    pool: &sqlx::PgPool,
    cart_id: uuid::Uuid,
    destination: Destination<'_>,
) -> Result<CheckoutQuotes, AppError> {
    let lines = crate::cart::repo::cart_contents(pool, cart_id).await?;
    let mut connection = pool.acquire().await?;
    let settings = store_settings(&mut connection).await?;
    let zones: Vec<Zone> = match destination {
        Destination::Country(country) => zones_for_country(&mut connection, country).await?,
        Destination::Address {
            country,
            postal_code,
        } => zone_for_address(&mut connection, country, postal_code)
            .await?
            .into_iter()
            .collect(),
    };
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
    let weight = parcel_weight(lines.iter().map(|l| (l.weight_grams, l.quantity)));
    let zone_ids: Vec<i64> = zones.iter().map(|z| z.id).collect();
    let methods = shipping_methods(&mut connection, &zone_ids).await?;
    let mut code_note = None;
    let mut quotes = Vec::with_capacity(methods.len());
    let zone_rates = TaxRates::load_for_zones(&mut connection, &zones).await?;
    for (zone, tax_rates) in zones.iter().zip(&zone_rates) {
        let to_price: Vec<LineForPricing> = lines
            .iter()
            .zip(&items)
            .map(|(line, item)| LineForPricing {
                item: *item,
                tax_rate_bp: tax_rates.rate_for(line.tax_category_id, line.category_id),
            })
            .collect();
        for method in methods.iter().filter(|m| m.zone_id == zone.id) {
            let Some(price) = method.price_for_weight(weight) else {
                continue;
            };
            let Some((totals, discounts)) = price_cart(
                &to_price,
                &price,
                tax_rates.shipping_rate_bp(),
                &offers.offers,
                settings.prices_include_tax,
            ) else {
                continue;
            };
            if let (Some(code), None) = (&offers.code, &offers.code_problem) {
                code_note = code_note.take().or_else(|| code_left_out(code, &discounts));
            }
            quotes.push(ShippingQuote {
                discounts: discount_lines(&discounts, &settings.currency),
                totals,
                method: method.clone(),
            });
        }
    }
    let not_delivered = quotes
        .is_empty()
        .then(|| not_delivered_message(destination.country()));
    Ok(CheckoutQuotes {
        lines,
        quotes,
        currency: settings.currency,
        code: offers.code,
        code_problem: offers.code_problem,
        code_note,
        not_delivered,
    })
}
