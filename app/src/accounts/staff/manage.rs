//! Inviting, re-roling and deactivating staff, each audited in its own transaction.

use crate::accounts::mail::AccountEmail;
use crate::accounts::model::Role;
use crate::accounts::staff::model::InviteForm;
use crate::accounts::tokens::{self, Purpose};
use crate::audit::{record, Actor, Change};
use crate::kernel::email::EmailAddress;
use crate::kernel::error::{AppError, FieldError};
use sqlx::{PgConnection, PgPool};

/// Creates a staff account without a password and emails its holder a link (valid 7
/// days) to choose one; until then the account cannot log in.
pub async fn invite(
    pool: &PgPool,
    actor: &Actor,
    form: &InviteForm,
    public_url: &str,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let email = EmailAddress::parse(&form.email)
        .map_err(|message| errors.push(FieldError::new("email", message)))
        .ok();
    let role = Role::parse(&form.role)
        .map_err(|message| errors.push(FieldError::new("role", message)))
        .ok();
    let name = crate::accounts::repo::check_name(&form.name)
        .map_err(|error| errors.push(FieldError::new("name", error.to_string())))
        .ok();
    AppError::from_field_errors(errors)?;
    let (Some(email), Some(role), Some(name)) = (email, role, name) else {
        return Err(AppError::Internal);
    };
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (email, name, password_hash, role) VALUES ($1, $2, '!', $3)
         ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(role)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "email",
            format!("{email} already has an account."),
        )]));
    };
    let token = tokens::issue(&mut tx, id, Purpose::StaffInvitation).await?;
    AccountEmail::StaffInvitation {
        token: &token,
        role: role.as_str(),
    }
    .queue(&mut tx, email.as_str(), public_url)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "staff.invite",
            entity_type: "staff",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "email": email.as_str(), "name": name, "role": role.as_str() }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

struct StaffState {
    email: String,
    role: Role,
    is_active: bool,
}

async fn lock_staff(connection: &mut PgConnection, id: i64) -> Result<StaffState, AppError> {
    // Every change of owners takes this lock first, so two owners demoting each other at
    // once cannot leave the store with none.
    sqlx::query("SELECT pg_advisory_xact_lock(728311002)")
        .execute(&mut *connection)
        .await?;
    let row: Option<(String, Option<Role>, bool)> =
        sqlx::query_as("SELECT email, role, is_active FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *connection)
            .await?;
    match row {
        Some((email, Some(role), is_active)) => Ok(StaffState {
            email,
            role,
            is_active,
        }),
        _ => Err(AppError::not_found("There is no such staff account.")),
    }
}

/// Whether another active owner than `id` exists.
async fn another_owner(connection: &mut PgConnection, id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE role = 'owner' AND is_active AND id <> $1)",
    )
    .bind(id)
    .fetch_one(connection)
    .await?)
}

/// Gives a staff member another role. The last active owner stays an owner.
pub async fn change_role(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    role: Role,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let before = lock_staff(&mut tx, id).await?;
    if before.role == role {
        return Ok(());
    }
    if before.role == Role::Owner && before.is_active && !another_owner(&mut tx, id).await? {
        return Err(AppError::invalid(
            "The store needs an active owner: make someone else owner first.",
        ));
    }
    sqlx::query("UPDATE accounts SET role = $2 WHERE id = $1")
        .bind(id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "staff.change_role",
            entity_type: "staff",
            entity_id: id.to_string(),
            before: Some(
                serde_json::json!({ "email": before.email, "role": before.role.as_str() }),
            ),
            after: Some(serde_json::json!({ "email": before.email, "role": role.as_str() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (every session ends at once) or reactivates a staff account. Nobody
/// deactivates themselves, and the last active owner stays active.
pub async fn set_active(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    if id == actor.id && !active {
        return Err(AppError::invalid("You cannot deactivate your own account."));
    }
    let mut tx = pool.begin().await?;
    let before = lock_staff(&mut tx, id).await?;
    if before.is_active == active {
        return Ok(());
    }
    if !active && before.role == Role::Owner && !another_owner(&mut tx, id).await? {
        return Err(AppError::invalid(
            "The store needs an active owner: make someone else owner first.",
        ));
    }
    // Moving the epoch on logs the account out everywhere.
    sqlx::query(
        "UPDATE accounts SET is_active = $2, session_epoch = session_epoch + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(active)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: if active {
                "staff.reactivate"
            } else {
                "staff.deactivate"
            },
            entity_type: "staff",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({ "email": before.email, "active": before.is_active })),
            after: Some(serde_json::json!({ "email": before.email, "active": active })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every login of a staff member (the owner, when a laptop is lost or someone
/// leaves); their sessions are logged out at their next request. Audited.
pub async fn end_logins(pool: &PgPool, actor: &Actor, id: i64) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let is_staff: Option<bool> =
        sqlx::query_scalar("SELECT role IS NOT NULL FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    if is_staff != Some(true) {
        return Err(AppError::NotFound("No such staff account.".to_owned()));
    }
    let ended = crate::accounts::logins::end_all(&mut tx, id, None).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "staff.logins_ended",
            entity_type: "staff",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "ended": ended })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Removes a staff member's second factor and recovery codes and ends their logins (the
/// owner, for someone who lost their phone and codes). Audited.
pub async fn reset_two_factor(pool: &PgPool, actor: &Actor, id: i64) -> Result<(), AppError> {
    if id == actor.id {
        return Err(AppError::invalid(
            "Turn your own two-factor login off on your Security page.",
        ));
    }
    let mut tx = pool.begin().await?;
    let removed = sqlx::query(
        "DELETE FROM account_two_factor t USING accounts a
         WHERE t.account_id = a.id AND a.id = $1 AND a.role IS NOT NULL",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound(
            "That staff member has no two-factor login to reset.".to_owned(),
        ));
    }
    sqlx::query("DELETE FROM account_recovery_codes WHERE account_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ended = crate::accounts::logins::end_all(&mut tx, id, None).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "staff.two_factor_reset",
            entity_type: "staff",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "logins_ended": ended })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
