//! Cart server functions, called from `<ActionForm>`s so they work without JavaScript.

use crate::cart::model::CartView;
use crate::kernel::error::AppError;
#[cfg(feature = "ssr")]
use crate::kernel::error::FieldError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::cart::model::{CartView, Quantity};
    use crate::kernel::context::ServerState;
    use crate::kernel::error::AppError;
    use crate::kernel::money::Money;
    use uuid::Uuid;

    pub fn parse_quantity(text: &str) -> Result<Quantity, AppError> {
        let number: i64 = text.trim().parse().map_err(|_| {
            AppError::invalid(format!(
                "Choose a quantity from 1 to {}.",
                crate::cart::model::MAX_QUANTITY
            ))
        })?;
        Quantity::parse(number).map_err(AppError::InvalidInput)
    }

    /// Adds `quantity` of a variant of which `available` units can be bought to the
    /// session's cart (created on first use), after checking the stock, so that bad
    /// input writes nothing.
    pub async fn add_available(
        state: &ServerState,
        variant_id: i64,
        available: i32,
        quantity: Quantity,
    ) -> Result<CartView, AppError> {
        if quantity.get() > available {
            return Err(crate::cart::repo::only_left(available));
        }
        let session = crate::kernel::session::current_session().await?;
        let cart = crate::cart::repo::session_cart(&session, &state.pool).await?;
        crate::cart::repo::add_to_cart(&state.pool, cart, variant_id, quantity).await?;
        view(state, Some(cart)).await
    }

    pub async fn view(state: &ServerState, cart_id: Option<Uuid>) -> Result<CartView, AppError> {
        let lines = match cart_id {
            Some(id) => crate::cart::repo::cart_contents(&state.pool, id).await?,
            None => Vec::new(),
        };
        let currency = crate::kernel::money::store_currency();
        let subtotal_minor: i64 = lines.iter().map(|l| l.line_total.minor_units).sum();
        let item_count = lines.iter().map(|l| l.quantity).sum();
        let mut view = CartView {
            subtotal: Money::new(subtotal_minor, currency.clone()),
            discounted_subtotal: Money::new(subtotal_minor, currency.clone()),
            lines,
            item_count,
            discounts: Vec::new(),
            code: None,
            code_problem: None,
        };
        let Some(cart_id) = cart_id.filter(|_| !view.lines.is_empty()) else {
            return Ok(view);
        };
        let (discounts, code, code_problem) =
            crate::cart::discounts::cart_discounts(&state.pool, cart_id, &view.lines, &currency)
                .await?;
        view.discounted_subtotal = Money::new(
            subtotal_minor - discounts.iter().map(|d| d.amount_minor).sum::<i64>(),
            currency,
        );
        view.discounts = discounts;
        view.code = code;
        view.code_problem = code_problem;
        Ok(view)
    }
}

#[server(endpoint = "cart/view")]
pub async fn get_cart() -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        server::view(&state, crate::kernel::session::cart_id(&session).await?).await
    })
    .await
}

#[server(endpoint = "cart/add")]
pub async fn add_to_cart(variant_id: i64, quantity: String) -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let quantity = server::parse_quantity(&quantity)?;
        let available = crate::cart::repo::buyable_stock(&state.pool, variant_id).await?;
        server::add_available(&state, variant_id, available, quantity).await
    })
    .await
}

/// Adds the variant the shopper chose on a product page, resolved on the server from the
/// chosen option values (`o0`, `o1`, `o2`, as the page's radio buttons name them), so the
/// cart gets exactly what the form showed as chosen, with or without JavaScript.
#[server(endpoint = "cart/add-choice")]
pub async fn add_choice_to_cart(
    product_id: i64,
    o0: Option<String>,
    o1: Option<String>,
    o2: Option<String>,
    quantity: String,
) -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let quantity = server::parse_quantity(&quantity)?;
        let chosen: Vec<String> = [o0, o1, o2].into_iter().flatten().collect();
        let (variant_id, available) =
            crate::cart::repo::variant_with_options(&state.pool, product_id, &chosen)
                .await?
                .ok_or_else(|| {
                    AppError::InvalidFields(vec![FieldError::new(
                        "options",
                        "This combination is not available: choose another.",
                    )])
                })?;
        if available <= 0 {
            return Err(AppError::InvalidFields(vec![FieldError::new(
                "options",
                "This combination is sold out: choose another.",
            )]));
        }
        server::add_available(&state, variant_id, available, quantity).await
    })
    .await
}

/// Puts a discount code on the session's cart, when it gives this cart something; else a
/// field error saying why not (unknown, expired, used up, which condition is not met).
#[server(endpoint = "cart/discount-code")]
pub async fn apply_discount_code(code: String) -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        let Some(cart) = crate::kernel::session::cart_id(&session).await? else {
            return Err(AppError::InvalidFields(vec![FieldError::new(
                "code",
                "Add something to your cart first.",
            )]));
        };
        let lines = crate::cart::repo::cart_contents(&state.pool, cart).await?;
        crate::cart::discounts::apply_code(&state.pool, cart, &lines, &code).await?;
        server::view(&state, Some(cart)).await
    })
    .await
}

#[server(endpoint = "cart/discount-code/remove")]
pub async fn remove_discount_code() -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        let cart = crate::kernel::session::cart_id(&session).await?;
        if let Some(cart) = cart {
            let mut connection = state.pool.acquire().await?;
            crate::promotions::repo::set_cart_code(&mut connection, cart, None).await?;
        }
        server::view(&state, cart).await
    })
    .await
}

#[server(endpoint = "cart/update")]
pub async fn update_cart_line(variant_id: i64, quantity: String) -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let quantity = server::parse_quantity(&quantity)?;
        let session = crate::kernel::session::current_session().await?;
        let cart = crate::kernel::session::cart_id(&session)
            .await?
            .ok_or_else(|| AppError::not_found("Your cart is empty."))?;
        crate::cart::repo::set_quantity(&state.pool, cart, variant_id, quantity).await?;
        server::view(&state, Some(cart)).await
    })
    .await
}

#[server(endpoint = "cart/remove")]
pub async fn remove_cart_line(variant_id: i64) -> Result<CartView, AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        let cart = crate::kernel::session::cart_id(&session).await?;
        if let Some(cart) = cart {
            crate::cart::repo::remove_line(&state.pool, cart, variant_id).await?;
        }
        server::view(&state, cart).await
    })
    .await
}
