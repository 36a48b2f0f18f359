//! Checkout and order server functions.

use crate::checkout::model::{CheckoutForm, CheckoutPage, ShippingOptions};
use crate::kernel::error::AppError;
use crate::orders::model::OrderReceipt;
use leptos::prelude::*;

#[server(endpoint = "checkout/page")]
pub async fn get_checkout() -> Result<CheckoutPage, AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        let account = crate::accounts::auth::current_account(&session, &state.pool).await?;
        let saved_address = match &account {
            Some(account) => crate::accounts::repo::addresses(&state.pool, account.id)
                .await?
                .into_iter()
                .next()
                .map(|saved| saved.address),
            None => None,
        };
        // The country chosen last at checkout, else the saved address's, else the store's
        // first zone's.
        let country = match crate::kernel::session::delivery_country(&session).await? {
            Some(country) => country,
            None => match &saved_address {
                Some(address) => address.country.clone(),
                None => browser_country(&state.pool).await?,
            },
        };
        // An empty cart is a normal page ("your cart is empty"), not an error.
        let quoted = match crate::kernel::session::cart_id(&session).await? {
            Some(cart) => {
                let quoted = crate::checkout::quote::checkout_quotes(
                    &state.pool,
                    cart,
                    crate::checkout::quote::Destination::Country(&country),
                )
                .await?;
                if !quoted.lines.is_empty() {
                    crate::funnel::record_checkout_started(&state.pool, cart).await?;
                }
                quoted
            }
            None => crate::checkout::quote::CheckoutQuotes {
                lines: Vec::new(),
                quotes: Vec::new(),
                currency: crate::kernel::money::store_currency(),
                code: None,
                code_problem: None,
                code_note: None,
                not_delivered: None,
            },
        };
        let gateways = crate::payments::payment_gateways()?;
        // Cards are kept for customers (not staff) when the card provider keeps cards.
        let keeps_cards =
            gateways.card_keeper().is_some() && account.as_ref().is_some_and(|a| a.role.is_none());
        let saved_cards = match (&account, keeps_cards) {
            (Some(account), true) => {
                crate::accounts::saved_cards::saved_cards(&state.pool, account.id).await?
            }
            _ => Vec::new(),
        };
        let prefill = account.map(|account| crate::checkout::model::CheckoutPrefill {
            email: account.email,
            address: saved_address,
        });
        Ok(CheckoutPage {
            saved_cards,
            can_save_card: keeps_cards,
            card_method: gateways.card_method().map(str::to_owned),
            stripe: gateways.stripe_browser().cloned(),
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            currency: quoted.currency.as_str().to_owned(),
            lines: quoted.lines,
            code: quoted.code,
            code_problem: quoted.code_problem,
            code_note: quoted.code_note,
            shipping: ShippingOptions {
                country,
                quotes: quoted.quotes,
                not_delivered: quoted.not_delivered,
            },
            prefill,
        })
    })
    .await
}

/// The country a new shopper's checkout starts with: the first their browser's languages
/// name that the store delivers to, else the first country of the first zone.
#[cfg(feature = "ssr")]
async fn browser_country(pool: &sqlx::PgPool) -> Result<String, AppError> {
    let languages = use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let mut connection = pool.acquire().await?;
    for country in crate::kernel::countries::countries_of_languages(&languages) {
        if !crate::pricing::rates::zones_for_country(&mut connection, country.code)
            .await?
            .is_empty()
        {
            return Ok(country.code.to_owned());
        }
    }
    crate::pricing::rates::default_country(&mut connection).await
}

/// The shipping methods (and totals with each) for another country the shopper chose at
/// checkout; the checkout page shows them from then on.
#[server(endpoint = "checkout/shipping-options")]
pub async fn checkout_shipping_options(country: String) -> Result<ShippingOptions, AppError> {
    crate::kernel::context::serve(|state| async move {
        let Some(known) = crate::kernel::countries::country(&country) else {
            return Err(AppError::invalid("Choose a country from the list."));
        };
        let session = crate::kernel::session::current_session().await?;
        crate::kernel::session::set_delivery_country(&session, known.code).await?;
        let Some(cart) = crate::kernel::session::cart_id(&session).await? else {
            return Err(AppError::invalid("Your cart is empty."));
        };
        let quoted = crate::checkout::quote::checkout_quotes(
            &state.pool,
            cart,
            crate::checkout::quote::Destination::Country(known.code),
        )
        .await?;
        Ok(ShippingOptions {
            country: known.code.to_owned(),
            quotes: quoted.quotes,
            not_delivered: quoted.not_delivered,
        })
    })
    .await
}

/// Places the order and sends the shopper to its confirmation page.
#[server(endpoint = "checkout/place-order")]
pub async fn place_checkout_order(form: CheckoutForm) -> Result<String, AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        let Some(cart) = crate::kernel::session::cart_id(&session).await? else {
            return Err(AppError::invalid("Your cart is empty."));
        };
        // A shopper without JavaScript who changed the country sees its shipping options
        // when the page comes back.
        if let Some(known) = crate::kernel::countries::country(form.country.trim()) {
            crate::kernel::session::set_delivery_country(&session, known.code).await?;
        }
        let gateways = crate::payments::payment_gateways()?;
        let placed = crate::checkout::submit::submit_checkout(
            &state.pool,
            &gateways,
            cart,
            &form,
            &state.site.public_url,
        )
        .await?;
        crate::kernel::session::remember_order(&session, &placed.number).await?;
        leptos_axum::redirect(&format!("/order/{}", placed.number));
        Ok(placed.number)
    })
    .await
}

/// An order this session placed.
#[server(endpoint = "orders/receipt")]
pub async fn get_order_receipt(number: String) -> Result<OrderReceipt, AppError> {
    crate::kernel::context::serve(|state| async move {
        let missing = || AppError::not_found("We could not find that order in this browser. Look it up with its number and email.");
        let session = crate::kernel::session::current_session().await?;
        if !crate::kernel::session::placed_order(&session, &number).await?
            && !account_owns_order(&session, &state.pool, &number).await?
        {
            return Err(missing());
        }
        crate::orders::receipt::order_receipt(&state.pool, &number, None).await?.ok_or_else(missing)
    })
    .await
}

/// Whether the session's account placed the order (its order history links here).
#[cfg(feature = "ssr")]
async fn account_owns_order(
    session: &tower_sessions::Session,
    pool: &sqlx::PgPool,
    number: &str,
) -> Result<bool, AppError> {
    let Some(account) = crate::accounts::auth::current_account(session, pool).await? else {
        return Ok(false);
    };
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM orders WHERE number = $1 AND account_id = $2)",
    )
    .bind(number)
    .bind(account.id)
    .fetch_one(pool)
    .await?)
}

/// Failed look-ups allowed per order number, and per client address, in 15 minutes.
#[cfg(feature = "ssr")]
const LOOKUPS_PER_ORDER: crate::accounts::throttle::Limit = crate::accounts::throttle::Limit {
    scope: "order_lookup_number",
    max_failures: 10,
    window: std::time::Duration::from_secs(15 * 60),
};
#[cfg(feature = "ssr")]
const LOOKUPS_PER_CLIENT: crate::accounts::throttle::Limit = crate::accounts::throttle::Limit {
    scope: "order_lookup_client",
    max_failures: 10,
    window: std::time::Duration::from_secs(15 * 60),
};

/// Any order, for whoever knows both its number and its email: lets this browser open it
/// and sends it to the order's page.
#[server(endpoint = "orders/lookup")]
pub async fn look_up_order(number: String, email: String) -> Result<String, AppError> {
    crate::kernel::context::serve(|state| async move {
        // One message for every miss, so the form never reveals which part was wrong.
        let missing = || AppError::not_found("No order matches that number and email.");
        if number.trim().is_empty()
            || number.len() > 32
            || email.trim().is_empty()
            || email.len() > 254
        {
            return Err(AppError::invalid(
                "Enter your order number (like ST-10042) and the email you used.",
            ));
        }
        use crate::accounts::throttle;
        let number_key = number.trim().to_uppercase();
        let client_key = crate::kernel::session::client_address().await;
        throttle::check(&state.pool, LOOKUPS_PER_ORDER, &number_key).await?;
        throttle::check(&state.pool, LOOKUPS_PER_CLIENT, &client_key).await?;
        let Some(receipt) =
            crate::orders::receipt::order_receipt(&state.pool, &number, Some(&email)).await?
        else {
            throttle::record_failure(&state.pool, LOOKUPS_PER_ORDER, &number_key).await?;
            throttle::record_failure(&state.pool, LOOKUPS_PER_CLIENT, &client_key).await?;
            return Err(missing());
        };
        throttle::clear(&state.pool, LOOKUPS_PER_ORDER, &number_key).await?;
        let session = crate::kernel::session::current_session().await?;
        crate::kernel::session::remember_order(&session, &receipt.number).await?;
        leptos_axum::redirect(&format!("/order/{}", receipt.number));
        Ok(receipt.number)
    })
    .await
}
