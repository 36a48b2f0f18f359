//! `stoa anonymize`: turns a restored copy of production into a staging copy. Customers'
//! names, emails and addresses are replaced consistently (one person keeps one pseudonym
//! across accounts, orders and addresses), every password stops working, payment
//! references and card digits are cleared, and what only made sense for the real people
//! (sessions, pending links, unsent and sent emails, failed attempts) is deleted. One
//! transaction: it happens completely or not at all.

use sqlx::PgPool;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Anonymized {
    pub people: i64,
    pub accounts: u64,
    pub orders: u64,
    pub addresses: u64,
}

pub async fn anonymize(pool: &PgPool) -> Result<Anonymized, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Every customer email, from accounts and orders, numbered in a fixed order; staff
    // keep their addresses (they run the staging copy) but not their passwords.
    sqlx::query(
        "CREATE TEMP TABLE pseudonyms ON COMMIT DROP AS
         SELECT original, row_number() OVER (ORDER BY original) AS n
         FROM (SELECT lower(email) AS original FROM accounts WHERE role IS NULL
               UNION SELECT lower(email) FROM orders) people",
    )
    .execute(&mut *tx)
    .await?;
    let people: i64 = sqlx::query_scalar("SELECT count(*) FROM pseudonyms")
        .fetch_one(&mut *tx)
        .await?;
    let accounts = sqlx::query(
        "UPDATE accounts a SET
             email = CASE WHEN a.role IS NULL THEN 'customer-' || p.n || '@staging.invalid' ELSE a.email END,
             name = CASE WHEN a.role IS NULL THEN 'Customer ' || p.n ELSE a.name END,
             password_hash = '!', session_epoch = session_epoch + 1
         FROM (SELECT a2.id, p2.n FROM accounts a2 LEFT JOIN pseudonyms p2 ON p2.original = lower(a2.email)) p
         WHERE p.id = a.id",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let orders = sqlx::query(
        "UPDATE orders o SET email = 'customer-' || p.n || '@staging.invalid',
                ship_name = 'Customer ' || p.n, ship_line1 = p.n || ' Staging Street', ship_line2 = '',
                ship_city = 'Testville', ship_postal_code = '00000',
                payment_reference = NULL, card_last4 = NULL
         FROM pseudonyms p WHERE p.original = lower(o.email)",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let addresses = sqlx::query(
        "UPDATE account_addresses d SET name = a.name, line1 = d.id || ' Staging Street', line2 = '',
                city = 'Testville', postal_code = '00000'
         FROM accounts a WHERE a.id = d.account_id",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // A staging copy must never call production's integrations.
    sqlx::query("UPDATE webhook_endpoints SET is_active = false")
        .execute(&mut *tx)
        .await?;
    for table in [
        "sessions",
        "account_tokens",
        "outbox_emails",
        "failed_attempts",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Anonymized {
        people,
        accounts,
        orders,
        addresses,
    })
}
