//! Storing a staff member's second factor: setting it up, confirming it with a first code
//! (which also issues the recovery codes), checking codes at login so that none works
//! twice, and turning it off. Changes are audited in their own transaction.

use super::code;
use crate::audit::{record, Actor, Change};
use crate::kernel::error::AppError;
use sqlx::PgPool;

/// How a login's second step was passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    Code,
    /// A recovery code, with how many are left.
    RecoveryCode {
        left: i64,
    },
}

pub async fn is_enrolled(pool: &PgPool, account_id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM account_two_factor
                        WHERE account_id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?)
}

/// Starts (or restarts) setting up: a new secret, not yet confirmed. Refused while a
/// confirmed one exists (turn it off first).
pub async fn start_setup(pool: &PgPool, account_id: i64) -> Result<(), AppError> {
    let started = sqlx::query(
        "INSERT INTO account_two_factor (account_id, secret) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now()
         WHERE account_two_factor.confirmed_at IS NULL",
    )
    .bind(account_id)
    .bind(code::new_secret().to_vec())
    .execute(pool)
    .await?;
    if started.rows_affected() == 0 {
        return Err(AppError::InvalidInput(
            "Two-factor login is already on for this account.".to_owned(),
        ));
    }
    Ok(())
}

/// The secret being set up, if setting up has started and is not confirmed yet.
pub async fn pending_secret(pool: &PgPool, account_id: i64) -> Result<Option<Vec<u8>>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT secret FROM account_two_factor WHERE account_id = $1 AND confirmed_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?)
}

/// Confirms the setup with a code from the app: turns two-factor login on and returns
/// ten new recovery codes (stored hashed; shown once).
pub async fn confirm(
    pool: &PgPool,
    actor: &Actor,
    typed: &str,
    now_unix: i64,
) -> Result<Vec<String>, AppError> {
    let typed = code::normalise_code(typed)
        .ok_or_else(|| AppError::invalid("Enter the 6-digit code your app shows."))?;
    let mut tx = pool.begin().await?;
    let secret: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT secret FROM account_two_factor
         WHERE account_id = $1 AND confirmed_at IS NULL FOR UPDATE",
    )
    .bind(actor.id)
    .fetch_optional(&mut *tx)
    .await?;
    let secret = secret.ok_or_else(|| {
        AppError::InvalidInput("Start setting up two-factor login first.".to_owned())
    })?;
    let step = code::matching_step(&secret, &typed, code::step_of(now_unix)).ok_or_else(|| {
        AppError::invalid(
            "That code does not match. Check that your phone's clock is right and enter the code your app shows now.",
        )
    })?;
    sqlx::query(
        "UPDATE account_two_factor SET confirmed_at = now(), last_used_step = $2
         WHERE account_id = $1",
    )
    .bind(actor.id)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    let codes = replace_recovery_codes(&mut tx, actor.id).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "staff.two_factor_on",
            entity_type: "staff",
            entity_id: actor.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "recovery_codes": codes.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

async fn replace_recovery_codes(
    connection: &mut sqlx::PgConnection,
    account_id: i64,
) -> Result<Vec<String>, AppError> {
    sqlx::query("DELETE FROM account_recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *connection)
        .await?;
    let codes = code::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| code::recovery_code_hash(c)).collect();
    sqlx::query(
        "INSERT INTO account_recovery_codes (account_id, code_hash)
         SELECT $1, hash FROM unnest($2::bytea[]) AS hash",
    )
    .bind(account_id)
    .bind(hashes)
    .execute(&mut *connection)
    .await?;
    Ok(codes)
}

/// Replaces the recovery codes (the old ones stop working) and returns the new ones.
pub async fn renew_recovery_codes(pool: &PgPool, actor: &Actor) -> Result<Vec<String>, AppError> {
    let mut tx = pool.begin().await?;
    if !sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM account_two_factor WHERE account_id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(actor.id)
    .fetch_one(&mut *tx)
    .await?
    {
        return Err(AppError::InvalidInput("Two-factor login is off.".to_owned()));
    }
    let codes = replace_recovery_codes(&mut tx, actor.id).await?;
    record_own(&mut tx, actor, "staff.recovery_codes_renewed").await?;
    tx.commit().await?;
    Ok(codes)
}

/// Audits a change a staff member made to their own second factor.
async fn record_own(
    connection: &mut sqlx::PgConnection,
    actor: &Actor,
    action: &str,
) -> Result<(), AppError> {
    record(
        connection,
        actor,
        Change {
            action,
            entity_type: "staff",
            entity_id: actor.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await
}

/// Checks the second step of a login: a current code from the app (each code works once:
/// its time step must be later than the last one accepted, taken atomically so two
/// requests racing with one code cannot both pass) or an unused recovery code.
pub async fn check_login_code(
    pool: &PgPool,
    account_id: i64,
    typed: &str,
    now_unix: i64,
) -> Result<Option<SecondFactor>, AppError> {
    if let Some(typed) = code::normalise_code(typed) {
        let secret: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT secret FROM account_two_factor
             WHERE account_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await?;
        let Some(step) =
            secret.and_then(|secret| code::matching_step(&secret, &typed, code::step_of(now_unix)))
        else {
            return Ok(None);
        };
        let taken = sqlx::query(
            "UPDATE account_two_factor SET last_used_step = $2
             WHERE account_id = $1 AND last_used_step < $2",
        )
        .bind(account_id)
        .bind(step)
        .execute(pool)
        .await?;
        if taken.rows_affected() == 0 {
            return Err(AppError::Unauthorized(
                "That code has already been used. Wait for your app to show the next one."
                    .to_owned(),
            ));
        }
        return Ok(Some(SecondFactor::Code));
    }
    let Some(recovery) = code::normalise_recovery_code(typed) else {
        return Ok(None);
    };
    let used: Option<i64> = sqlx::query_scalar(
        "UPDATE account_recovery_codes SET used_at = now()
         WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL
         RETURNING (SELECT count(*) - 1 FROM account_recovery_codes
                    WHERE account_id = $1 AND used_at IS NULL)",
    )
    .bind(account_id)
    .bind(code::recovery_code_hash(&recovery))
    .fetch_optional(pool)
    .await?;
    Ok(used.map(|left| SecondFactor::RecoveryCode { left }))
}

pub async fn recovery_codes_left(pool: &PgPool, account_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM account_recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?)
}

/// Turns two-factor login off for the actor's own account (the caller checked the
/// password and that the store does not require it).
pub async fn turn_off(pool: &PgPool, actor: &Actor) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let removed = sqlx::query("DELETE FROM account_two_factor WHERE account_id = $1")
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM account_recovery_codes WHERE account_id = $1")
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() > 0 {
        record_own(&mut tx, actor, "staff.two_factor_off").await?;
    }
    tx.commit().await?;
    Ok(())
}
