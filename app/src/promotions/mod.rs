//! Promotions and discount codes: automatic promotions and codes shoppers enter, with
//! limits taken inside the place-order transaction (`repo`), the rules deciding what a
//! cart gets (`engine`), and the staff's side (`manage`).

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod manage;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;

#[cfg(feature = "ssr")]
pub use priced::{discount_lines, price_cart, LineForPricing};

#[cfg(feature = "ssr")]
mod priced {
    use crate::kernel::money::{CurrencyCode, Money};
    use crate::pricing::{totals, LineToPrice, ShippingPrice, ShippingToPrice, Totals};
    use crate::promotions::model::DiscountLine;

    /// Promotions as the shopper reads them.
    pub fn discount_lines(discounts: &Discounts, currency: &CurrencyCode) -> Vec<DiscountLine> {
        discounts
            .applied
            .iter()
            .map(|applied| DiscountLine {
                name: applied.name.clone(),
                code: applied.code.clone(),
                amount: Money::new(applied.total(), currency.clone()).to_string(),
                amount_minor: applied.total(),
            })
            .collect()
    }
    use crate::promotions::engine::{best_discounts, Discounts, Item, Offer};

    /// A cart line with what pricing needs: what promotions look at, and its tax rate.
    #[derive(Clone, Copy, Debug)]
    pub struct LineForPricing {
        pub item: Item,
        pub tax_rate_bp: i32,
    }

    /// The totals of a cart with a shipping method once the best promotions are taken off,
    /// and those promotions: the one computation the checkout's quote and the order
    /// placement share. `None`: the method does not take an order of this value (below
    /// its first value band once discounted).
    pub fn price_cart(
        lines: &[LineForPricing],
        shipping: &ShippingPrice,
        shipping_tax_rate_bp: i32,
        offers: &[Offer],
        prices_include_tax: bool,
    ) -> Option<(Totals, Discounts)> {
        let items: Vec<Item> = lines.iter().map(|l| l.item).collect();
        let discounts = best_discounts(&items, shipping, offers);
        let per_line = discounts.per_line(lines.len());
        let to_price: Vec<LineToPrice> = lines
            .iter()
            .zip(&per_line)
            .map(|(line, discount)| LineToPrice {
                unit_price_minor: line.item.unit_price_minor,
                quantity: line.item.quantity,
                tax_rate_bp: line.tax_rate_bp,
                discount_minor: *discount,
            })
            .collect();
        let discounted_subtotal: i64 = to_price
            .iter()
            .map(|l| l.total_minor() - l.discount_minor)
            .sum();
        let shipping_minor = shipping.for_subtotal(discounted_subtotal)?;
        let totals = totals(
            &to_price,
            ShippingToPrice {
                price_minor: shipping_minor,
                discount_minor: discounts.shipping_minor(),
                tax_rate_bp: shipping_tax_rate_bp,
            },
            prices_include_tax,
        );
        Some((totals, discounts))
    }
}
