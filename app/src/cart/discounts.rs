//! What promotions give a cart before shipping is chosen, and entering a discount code:
//! the cart's side of `promotions`.

use crate::cart::model::CartLineView;
use crate::kernel::error::AppError;
use crate::kernel::money::CurrencyCode;
use crate::pricing::ShippingPrice;
use crate::promotions::engine::{best_discounts, Item};
use crate::promotions::model::DiscountLine;
use crate::promotions::repo::{
    cart_offers, code_left_out, code_problem, normalise_code, offer_for_code, set_cart_code,
    Customer,
};

pub fn items_of(lines: &[CartLineView]) -> Vec<Item> {
    lines
        .iter()
        .map(|line| Item {
            product_id: line.product_id,
            category_id: line.category_id,
            unit_price_minor: line.unit_price.minor_units,
            quantity: line.quantity,
        })
        .collect()
}

/// What the cart gets before shipping is chosen: its discounts by name, its code, and
/// what is wrong with the code or why it is left out.
pub async fn cart_discounts(
    pool: &sqlx::PgPool,
    cart_id: uuid::Uuid,
    lines: &[CartLineView],
    currency: &CurrencyCode,
) -> Result<(Vec<DiscountLine>, Option<String>, Option<String>), AppError> {
    let items = items_of(lines);
    let mut connection = pool.acquire().await?;
    let customer = Customer::of_cart(cart_id, None);
    let offers = cart_offers(&mut connection, cart_id, &items, &customer, currency).await?;
    let not_chosen_yet = ShippingPrice::flat(0, None);
    let discounts = best_discounts(&items, &not_chosen_yet, &offers.offers);
    let problem = match (&offers.code, offers.code_problem) {
        (Some(code), None) => code_left_out(code, &discounts),
        (_, problem) => problem,
    };
    let mut shown = crate::promotions::discount_lines(&discounts, currency);
    for line in shown.iter_mut().filter(|l| l.amount_minor == 0) {
        line.amount = "Applied at checkout".to_owned();
    }
    Ok((shown, offers.code, problem))
}

/// Checks `typed` against the cart and keeps it on the cart when it applies.
pub async fn apply_code(
    pool: &sqlx::PgPool,
    cart_id: uuid::Uuid,
    lines: &[CartLineView],
    typed: &str,
) -> Result<(), AppError> {
    let code = normalise_code(typed).map_err(code_problem)?;
    let mut connection = pool.acquire().await?;
    let settings = crate::pricing::rates::store_settings(&mut connection).await?;
    let customer = Customer::of_cart(cart_id, None);
    offer_for_code(
        &mut connection,
        &code,
        &items_of(lines),
        &customer,
        &settings.currency,
    )
    .await?;
    set_cart_code(&mut connection, cart_id, Some(&code)).await
}
