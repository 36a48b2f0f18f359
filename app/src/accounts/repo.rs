//! Accounts in PostgreSQL: registration and email confirmation, checking a login,
//! passwords (change and reset), staff accounts, and what an account page shows.
//! Each business action is one transaction.

use crate::accounts::mail::AccountEmail;
use crate::accounts::model::{OrderSummary, Role, SavedAddress};
use crate::accounts::password::{
    check_new_password, hash_password_off_thread, verify_password_off_thread, AccountKind,
};
use crate::accounts::tokens::{self, Purpose};
use crate::kernel::address::ShippingAddress;
use crate::kernel::email::EmailAddress;
use crate::kernel::error::AppError;
use sqlx::{PgConnection, PgPool};

/// An account that passed a check (login, confirmation link): what a session remembers.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    pub session_epoch: i32,
}

impl AccountRecord {
    pub fn kind(&self) -> AccountKind {
        if self.role.is_some() {
            AccountKind::Staff
        } else {
            AccountKind::Customer
        }
    }
}

const RECORD_COLUMNS: &str = "id, email, name, role, session_epoch";

/// What registration did. Only tests look at it: the page says the same for both, so it
/// never tells anyone whether an address has an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registered {
    /// A new (or still unconfirmed) account; a confirmation link went to the address.
    AwaitingConfirmation,
    /// The address already has a confirmed account; it was told so by email.
    AlreadyRegistered,
}

pub fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "Your name can be at most 100 printable characters.",
        ));
    }
    Ok(name.to_owned())
}

/// Registers a customer: checks the input, then either creates the account and sends a
/// confirmation link, or tells the existing account's owner by email.
pub async fn register(
    pool: &PgPool,
    name: &str,
    email: &EmailAddress,
    password: &str,
    public_url: &str,
) -> Result<Registered, AppError> {
    let name = check_name(name)?;
    check_new_password(password, AccountKind::Customer).map_err(AppError::InvalidInput)?;
    // Hash first, whatever happens next, so both outcomes take the same time.
    let hash = hash_password_off_thread(password).await?;
    let mut tx = pool.begin().await?;
    let created: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (email, name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match created {
        Some(id) => {
            send_confirmation(&mut tx, id, email.as_str(), public_url).await?;
            Registered::AwaitingConfirmation
        }
        None => {
            let (id, confirmed): (i64, bool) = sqlx::query_as(
                "SELECT id, email_verified_at IS NOT NULL FROM accounts WHERE lower(email) = lower($1) FOR UPDATE",
            )
            .bind(email.as_str())
            .fetch_one(&mut *tx)
            .await?;
            if confirmed {
                AccountEmail::AlreadyRegistered
                    .queue(&mut tx, email.as_str(), public_url)
                    .await?;
                Registered::AlreadyRegistered
            } else {
                // Nobody proved they own this address yet: the newest registration wins,
                // and only the owner of the mailbox can confirm it.
                sqlx::query("UPDATE accounts SET name = $2, password_hash = $3 WHERE id = $1")
                    .bind(id)
                    .bind(&name)
                    .bind(&hash)
                    .execute(&mut *tx)
                    .await?;
                send_confirmation(&mut tx, id, email.as_str(), public_url).await?;
                Registered::AwaitingConfirmation
            }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

async fn send_confirmation(
    connection: &mut PgConnection,
    account_id: i64,
    email: &str,
    public_url: &str,
) -> Result<(), AppError> {
    let token = tokens::issue(connection, account_id, Purpose::VerifyEmail).await?;
    AccountEmail::Verification { token: &token }
        .queue(connection, email, public_url)
        .await?;
    Ok(())
}

/// Confirms the address a link was sent to. Orders placed earlier as a guest with that
/// address join the account's history: the mailbox's owner received their confirmations.
pub async fn confirm_email(pool: &PgPool, token: &str) -> Result<AccountRecord, AppError> {
    let mut tx = pool.begin().await?;
    let Some(account_id) = tokens::consume(&mut tx, token, Purpose::VerifyEmail).await? else {
        return Err(AppError::invalid(
            "This confirmation link has expired or was already used. Log in to get a new one.",
        ));
    };
    let account: AccountRecord = sqlx::query_as(&format!(
        "UPDATE accounts SET email_verified_at = coalesce(email_verified_at, now())
         WHERE id = $1 RETURNING {RECORD_COLUMNS}"
    ))
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE orders SET account_id = $1
         WHERE account_id IS NULL AND erased_at IS NULL AND lower(email) = lower($2)",
    )
    .bind(account.id)
    .bind(&account.email)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// The result of checking an email and password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginCheck {
    Accepted(AccountRecord),
    /// Right password, but the address was never confirmed; a new link was sent.
    Unconfirmed,
    /// Unknown email, wrong password or a deactivated account: one answer for all.
    Refused,
}

pub async fn check_login(
    pool: &PgPool,
    email: &str,
    password: &str,
    public_url: &str,
) -> Result<LoginCheck, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        record: AccountRecord,
        password_hash: String,
        is_active: bool,
        confirmed: bool,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {RECORD_COLUMNS}, password_hash, is_active, email_verified_at IS NOT NULL AS confirmed
         FROM accounts WHERE lower(email) = lower($1)"
    ))
    .bind(email.trim())
    .fetch_optional(pool)
    .await?;
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    if !verify_password_off_thread(stored, password).await {
        return Ok(LoginCheck::Refused);
    }
    let Some(row) = row else {
        return Ok(LoginCheck::Refused);
    };
    if !row.is_active {
        return Ok(LoginCheck::Refused);
    }
    if !row.confirmed {
        let mut tx = pool.begin().await?;
        send_confirmation(&mut tx, row.record.id, &row.record.email, public_url).await?;
        tx.commit().await?;
        return Ok(LoginCheck::Unconfirmed);
    }
    Ok(LoginCheck::Accepted(row.record))
}

/// The account a session names, if it still exists, is active and confirmed, and the
/// session logged in after the last password change.
pub async fn session_account(
    pool: &PgPool,
    account_id: i64,
    session_epoch: i32,
    login_id: uuid::Uuid,
) -> Result<Option<AccountRecord>, AppError> {
    // The login must still exist (not ended from another device); its last-seen time is
    // moved on at most once a minute.
    Ok(sqlx::query_as(&format!(
        "WITH seen AS (
             UPDATE account_logins SET last_seen_at = now()
             WHERE id = $3 AND account_id = $1 AND last_seen_at < now() - interval '1 minute'
         )
         SELECT {RECORD_COLUMNS} FROM accounts
         WHERE id = $1 AND session_epoch = $2 AND is_active AND email_verified_at IS NOT NULL
           AND EXISTS (SELECT 1 FROM account_logins WHERE id = $3 AND account_id = $1)"
    ))
    .bind(account_id)
    .bind(session_epoch)
    .bind(login_id)
    .fetch_optional(pool)
    .await?)
}

/// The account as it was when its password was accepted (same epoch), if still active.
pub async fn account_at_epoch(
    pool: &PgPool,
    account_id: i64,
    session_epoch: i32,
) -> Result<Option<AccountRecord>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RECORD_COLUMNS} FROM accounts
         WHERE id = $1 AND session_epoch = $2 AND is_active AND email_verified_at IS NOT NULL"
    ))
    .bind(account_id)
    .bind(session_epoch)
    .fetch_optional(pool)
    .await?)
}

/// Stores a new password and ends every session logged in before (the epoch moves on);
/// returns the account with its new epoch. Inside the caller's transaction.
async fn set_password(
    connection: &mut PgConnection,
    account_id: i64,
    new_password: &str,
    public_url: &str,
) -> Result<AccountRecord, AppError> {
    let hash = hash_password_off_thread(new_password).await?;
    let account: AccountRecord = sqlx::query_as(&format!(
        "UPDATE accounts SET password_hash = $2, session_epoch = session_epoch + 1,
                email_verified_at = coalesce(email_verified_at, now())
         WHERE id = $1 RETURNING {RECORD_COLUMNS}"
    ))
    .bind(account_id)
    .bind(hash)
    .fetch_one(&mut *connection)
    .await?;
    sqlx::query("DELETE FROM account_tokens WHERE account_id = $1 AND used_at IS NULL")
        .bind(account_id)
        .execute(&mut *connection)
        .await?;
    crate::accounts::logins::end_all(connection, account_id, None).await?;
    AccountEmail::PasswordChanged
        .queue(connection, &account.email, public_url)
        .await?;
    Ok(account)
}

/// Whether `password` is the account's password (to confirm a sensitive action).
pub async fn password_matches(
    pool: &PgPool,
    account_id: i64,
    password: &str,
) -> Result<bool, AppError> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(verify_password_off_thread(stored, password).await)
}

/// Changes the password of a logged-in account after checking the current one.
pub async fn change_password(
    pool: &PgPool,
    account: &AccountRecord,
    current: &str,
    new_password: &str,
    public_url: &str,
) -> Result<AccountRecord, AppError> {
    check_new_password(new_password, account.kind()).map_err(AppError::InvalidInput)?;
    if !password_matches(pool, account.id, current).await? {
        return Err(AppError::invalid("Your current password is not right."));
    }
    let mut tx = pool.begin().await?;
    let updated = set_password(&mut tx, account.id, new_password, public_url).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Sends a reset link when the address has an account; does nothing otherwise. The
/// caller answers the same either way. Returns whether a link was sent (for tests).
pub async fn request_password_reset(
    pool: &PgPool,
    email: &EmailAddress,
    public_url: &str,
) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    let account: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, email FROM accounts WHERE lower(email) = lower($1) AND is_active",
    )
    .bind(email.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, address)) = account else {
        return Ok(false);
    };
    let token = tokens::issue(&mut tx, id, Purpose::ResetPassword).await?;
    AccountEmail::PasswordReset { token: &token }
        .queue(&mut tx, &address, public_url)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets a new password with a reset link. The link is used up only when the new password
/// is accepted, so a refused password can be corrected with the same link.
pub async fn reset_password(
    pool: &PgPool,
    token: &str,
    new_password: &str,
    public_url: &str,
) -> Result<AccountRecord, AppError> {
    let mut tx = pool.begin().await?;
    let reset = tokens::consume(&mut tx, token, Purpose::ResetPassword).await?;
    let account_id = match reset {
        Some(id) => Some(id),
        None => tokens::consume(&mut tx, token, Purpose::StaffInvitation).await?,
    };
    let Some(account_id) = account_id else {
        return Err(AppError::invalid(
            "This reset link has expired or was already used. Ask for a new one.",
        ));
    };
    let holder: AccountRecord = sqlx::query_as(&format!(
        "SELECT {RECORD_COLUMNS} FROM accounts WHERE id = $1"
    ))
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    check_new_password(new_password, holder.kind()).map_err(AppError::InvalidInput)?;
    let account = set_password(&mut tx, account_id, new_password, public_url).await?;
    tx.commit().await?;
    Ok(account)
}

/// Creates a confirmed staff account (the first owner comes from `stoa create-staff`).
pub async fn create_staff(
    pool: &PgPool,
    email: &EmailAddress,
    name: &str,
    role: Role,
    password: &str,
) -> Result<i64, AppError> {
    let name = check_name(name)?;
    check_new_password(password, AccountKind::Staff).map_err(AppError::InvalidInput)?;
    let hash = hash_password_off_thread(password).await?;
    let created: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (email, name, password_hash, role, email_verified_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(&hash)
    .bind(role)
    .fetch_optional(pool)
    .await?;
    created.ok_or_else(|| AppError::invalid(format!("{email} already has an account.")))
}

/// The account's orders, newest first.
pub async fn order_history(pool: &PgPool, account_id: i64) -> Result<Vec<OrderSummary>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        number: String,
        placed_at: chrono::DateTime<chrono::Utc>,
        status: crate::orders::model::OrderStatus,
        currency: String,
        total_minor: i64,
        item_count: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT o.number, o.placed_at, o.status, o.currency, o.total_minor,
                (SELECT coalesce(sum(quantity), 0)::int8 FROM order_lines l WHERE l.order_id = o.id) AS item_count
         FROM orders o WHERE o.account_id = $1 ORDER BY o.placed_at DESC, o.id DESC LIMIT 200",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    let times: Vec<_> = rows.iter().map(|r| r.placed_at).collect();
    let local = crate::kernel::clock::store_times(pool, &times).await?;
    Ok(rows
        .into_iter()
        .zip(local)
        .map(|(r, placed_at)| OrderSummary {
            number: r.number,
            placed_at,
            status_label: r.status.label().to_owned(),
            total: crate::kernel::money::CurrencyCode::parse(&r.currency)
                .map(|c| crate::kernel::money::Money::new(r.total_minor, c).to_string())
                .unwrap_or_default(),
            item_count: r.item_count,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AddressRow {
    id: i64,
    name: String,
    line1: String,
    line2: String,
    city: String,
    postal_code: String,
    country: String,
    is_default: bool,
}

impl From<AddressRow> for SavedAddress {
    fn from(r: AddressRow) -> Self {
        SavedAddress {
            id: r.id,
            address: ShippingAddress {
                name: r.name,
                line1: r.line1,
                line2: r.line2,
                city: r.city,
                postal_code: r.postal_code,
                country: r.country,
            },
            is_default: r.is_default,
        }
    }
}

/// The account's address book, default first.
pub async fn addresses(pool: &PgPool, account_id: i64) -> Result<Vec<SavedAddress>, AppError> {
    let rows: Vec<AddressRow> = sqlx::query_as(
        "SELECT id, name, line1, line2, city, postal_code, country, is_default
         FROM account_addresses WHERE account_id = $1 ORDER BY is_default DESC, id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(SavedAddress::from).collect())
}

/// At most this many addresses per account.
pub const MAX_ADDRESSES: i64 = 20;

/// Adds an address; the first one becomes the default.
pub async fn add_address(
    pool: &PgPool,
    account_id: i64,
    address: &ShippingAddress,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    // Serialises additions to one address book, so the count and the default hold.
    sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM account_addresses WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    if count >= MAX_ADDRESSES {
        return Err(AppError::invalid(format!(
            "An address book holds at most {MAX_ADDRESSES} addresses. Remove one first."
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO account_addresses (account_id, name, line1, line2, city, postal_code, country, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(account_id)
    .bind(&address.name)
    .bind(&address.line1)
    .bind(&address.line2)
    .bind(&address.city)
    .bind(&address.postal_code)
    .bind(&address.country)
    .bind(count == 0)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn no_such_address() -> AppError {
    AppError::not_found("That address is not in your address book.")
}

/// Removes an address; when it was the default, the oldest remaining one takes over.
pub async fn remove_address(
    pool: &PgPool,
    account_id: i64,
    address_id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let was_default: Option<bool> = sqlx::query_scalar(
        "DELETE FROM account_addresses WHERE id = $1 AND account_id = $2 RETURNING is_default",
    )
    .bind(address_id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    match was_default {
        None => return Err(no_such_address()),
        Some(true) => {
            sqlx::query(
                "UPDATE account_addresses SET is_default = true WHERE id =
                   (SELECT id FROM account_addresses WHERE account_id = $1 ORDER BY id LIMIT 1)",
            )
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
        Some(false) => {}
    }
    tx.commit().await?;
    Ok(())
}

pub async fn make_default_address(
    pool: &PgPool,
    account_id: i64,
    address_id: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE account_addresses SET is_default = false WHERE account_id = $1 AND is_default",
    )
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    let updated = sqlx::query(
        "UPDATE account_addresses SET is_default = true WHERE id = $1 AND account_id = $2",
    )
    .bind(address_id)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(no_such_address());
    }
    tx.commit().await?;
    Ok(())
}
