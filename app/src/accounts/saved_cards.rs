//! Cards a customer keeps for next time. The provider holds the card; the store holds
//! which one it is and what the shopper recognises it by (brand, last four, expiry).
//! Saved only with the shopper's consent at checkout; removed from the account page, and
//! all of them (and the provider's customer record) when the account is erased.

use crate::accounts::model::SavedCard;
use crate::kernel::error::AppError;
use crate::payments::{CardOnFile, PaymentGateways, PaymentProvider};
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

/// The account that owns a cart, with what saving cards for it needs.
#[derive(Clone, Debug)]
pub struct CardHolder {
    pub account_id: i64,
    pub email: String,
    pub provider_customer: Option<String>,
}

/// The account whose cart this is (a signed-in shopper), if any.
pub async fn holder_of_cart(pool: &PgPool, cart_id: Uuid) -> Result<Option<CardHolder>, AppError> {
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, email, stripe_customer_id FROM accounts WHERE cart_id = $1 AND role IS NULL",
    )
    .bind(cart_id)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map(|(account_id, email, provider_customer)| CardHolder {
            account_id,
            email,
            provider_customer,
        }),
    )
}

/// The account's cards, oldest first.
pub async fn saved_cards(pool: &PgPool, account_id: i64) -> Result<Vec<SavedCard>, AppError> {
    let rows: Vec<(i64, String, String, i16, i16)> = sqlx::query_as(
        "SELECT id, brand, last4, exp_month, exp_year FROM saved_cards WHERE account_id = $1 ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, brand, last4, exp_month, exp_year)| SavedCard {
            id,
            brand,
            last4,
            expires: format!("{exp_month:02}/{exp_year}"),
        })
        .collect())
}

/// The provider's reference of one of the holder's cards; refused for anyone else's.
pub async fn saved_card_reference(
    pool: &PgPool,
    holder: &CardHolder,
    card_id: i64,
) -> Result<String, AppError> {
    sqlx::query_scalar(
        "SELECT provider_reference FROM saved_cards WHERE id = $1 AND account_id = $2",
    )
    .bind(card_id)
    .bind(holder.account_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        AppError::invalid("That saved card is no longer available. Choose another card.")
    })
}

/// The holder's customer at the provider, made on first use. Two checkouts racing both
/// end with the one stored first.
pub async fn provider_customer(
    pool: &PgPool,
    provider: &dyn PaymentProvider,
    holder: &CardHolder,
) -> Result<String, AppError> {
    if let Some(customer) = &holder.provider_customer {
        return Ok(customer.clone());
    }
    let made = provider
        .create_customer(holder.account_id, &holder.email)
        .await
        .map_err(AppError::from)?;
    sqlx::query_scalar(
        "UPDATE accounts SET stripe_customer_id = coalesce(stripe_customer_id, $2) WHERE id = $1
         RETURNING stripe_customer_id",
    )
    .bind(holder.account_id)
    .bind(&made)
    .fetch_optional(pool)
    .await?
    .flatten()
    .ok_or_else(|| AppError::not_found("That account does not exist."))
}

/// Keeps the card behind `method` for the holder at the provider (before paying with
/// it); the store records it once the order is placed.
pub async fn keep_card(
    pool: &PgPool,
    provider: &dyn PaymentProvider,
    holder: &CardHolder,
    method: &str,
) -> Result<(String, CardOnFile), AppError> {
    let customer = provider_customer(pool, provider, holder).await?;
    let card = provider
        .keep_card(&customer, method)
        .await
        .map_err(AppError::from)?;
    Ok((customer, card))
}

/// Records a card kept at the provider (a second record of the same card changes nothing).
pub async fn record_card(
    pool: &PgPool,
    provider_code: &str,
    account_id: i64,
    card: &CardOnFile,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO saved_cards (account_id, provider, provider_reference, brand, last4, exp_month, exp_year)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (provider, provider_reference) DO NOTHING",
    )
    .bind(account_id)
    .bind(provider_code)
    .bind(&card.reference)
    .bind(&card.brand)
    .bind(&card.last4)
    .bind(card.exp_month)
    .bind(card.exp_year)
    .execute(pool)
    .await?;
    Ok(())
}

/// A card kept for this checkout whose payment the bank declined: not kept after all.
/// Best effort; what fails is logged.
pub async fn forget_declined(
    pool: &PgPool,
    provider: &dyn PaymentProvider,
    account_id: i64,
    customer: &str,
    reference: &str,
) {
    if let Err(error) = provider.forget_card(customer, reference).await {
        tracing::warn!(%error, "forgetting a declined card at the provider failed");
    }
    let deleted = sqlx::query(
        "DELETE FROM saved_cards WHERE account_id = $1 AND provider = $2 AND provider_reference = $3",
    )
    .bind(account_id)
    .bind(provider.code())
    .bind(reference)
    .execute(pool)
    .await;
    if let Err(error) = deleted {
        tracing::error!(%error, "forgetting a declined saved card failed");
    }
}

fn keeper(gateways: &PaymentGateways) -> Result<Arc<dyn PaymentProvider>, AppError> {
    gateways.card_keeper().ok_or_else(|| {
        tracing::error!("saved cards exist but no card provider is configured");
        AppError::Unreachable
    })
}

/// Removes one of the account's cards: the provider stops keeping it, then the record
/// goes. Under the row's lock, so two clicks remove it once.
pub async fn remove_card(
    pool: &PgPool,
    gateways: &PaymentGateways,
    account_id: i64,
    card_id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT c.provider_reference, a.stripe_customer_id
         FROM saved_cards c JOIN accounts a ON a.id = c.account_id
         WHERE c.id = $1 AND c.account_id = $2 FOR UPDATE OF c",
    )
    .bind(card_id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((reference, customer)) = row else {
        return Err(AppError::not_found(
            "That card is not saved in your account.",
        ));
    };
    keeper(gateways)?
        .forget_card(customer.as_deref().unwrap_or_default(), &reference)
        .await
        .map_err(AppError::from)?;
    sqlx::query("DELETE FROM saved_cards WHERE id = $1")
        .bind(card_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Before an account is erased: the provider stops keeping its cards and forgets its
/// customer record. Fails (and erasure waits) when the configured provider cannot be
/// reached, so no card stays behind at the provider.
pub async fn forget_all(
    pool: &PgPool,
    gateways: &PaymentGateways,
    account_id: i64,
) -> Result<(), AppError> {
    let customer: Option<String> =
        sqlx::query_scalar("SELECT stripe_customer_id FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await?
            .flatten();
    let Some(customer) = customer else {
        return Ok(());
    };
    let Some(provider) = gateways.card_keeper() else {
        // Stripe was switched off since: the store cannot reach the cards, and erasure
        // must not wait for it. The records go with the account.
        tracing::warn!(%customer, "erasing an account whose saved cards stay at a payment provider that is no longer configured");
        return Ok(());
    };
    let cards: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, provider_reference FROM saved_cards WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(pool)
            .await?;
    for (id, reference) in cards {
        provider
            .forget_card(&customer, &reference)
            .await
            .map_err(AppError::from)?;
        sqlx::query("DELETE FROM saved_cards WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
    }
    provider
        .forget_customer(&customer)
        .await
        .map_err(AppError::from)?;
    sqlx::query("UPDATE accounts SET stripe_customer_id = NULL WHERE id = $1")
        .bind(account_id)
        .execute(pool)
        .await?;
    Ok(())
}
