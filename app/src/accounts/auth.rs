//! Who is calling: the account a session is logged in to, logging in and out, and the one
//! helper every staff server function uses to check the caller's role.

use crate::accounts::logins::{self, LoginOrigin};
use crate::accounts::model::Role;
use crate::accounts::repo::{self, AccountRecord};
use crate::audit::Actor;
use crate::kernel::context::Caller;
use crate::kernel::error::AppError;
use crate::kernel::session::{session_error, PendingLogin, SecondStep, SessionLogin};
use sqlx::PgPool;
use tower_sessions::Session;

/// The account this session is logged in to, if any (and still valid).
pub async fn current_account(
    session: &Session,
    pool: &PgPool,
) -> Result<Option<AccountRecord>, AppError> {
    let Some(login) = crate::kernel::session::login(session).await? else {
        return Ok(None);
    };
    let Some(login_id) = login.login_id else {
        return Ok(None);
    };
    repo::session_account(pool, login.account_id, login.epoch, login_id).await
}

/// The logged-in account, or 401 "Log in to continue".
pub async fn require_account() -> Result<AccountRecord, AppError> {
    let state = crate::kernel::context::server_state()?;
    let session = crate::kernel::session::current_session().await?;
    current_account(&session, &state.pool)
        .await?
        .ok_or_else(AppError::log_in_first)
}

/// The logged-in staff account whose role includes `required`: 401 for an anonymous
/// caller, 403 for a customer or a lower role. Every staff server function starts here;
/// what the pages hide is a convenience only.
pub async fn require_role(required: Role) -> Result<AccountRecord, AppError> {
    let state = crate::kernel::context::server_state()?;
    let session = crate::kernel::session::current_session().await?;
    check_role(current_account(&session, &state.pool).await?, required)
}

/// The acting staff member of a server function, when their role includes `required`
/// (401 or 403 otherwise): the one way staff changes learn who makes them.
pub async fn require_staff(required: Role) -> Result<Actor, AppError> {
    let state = crate::kernel::context::server_state()?;
    let caller = Caller::of_server_fn(&state).await?;
    staff_actor(&caller, &state.pool, required).await
}

/// The staff member behind `caller` whose role includes `required`, with the address the
/// audit log records; for server functions (through [`require_staff`]) and plain routes,
/// which take [`Caller`] as an extractor.
pub async fn staff_actor(
    caller: &Caller,
    pool: &PgPool,
    required: Role,
) -> Result<Actor, AppError> {
    let account = check_role(current_account(&caller.session, pool).await?, required)?;
    Ok(Actor {
        id: account.id,
        email: account.email,
        client_address: caller.client_address.clone(),
    })
}

/// The rule behind `require_role`, for handlers outside server functions.
pub fn check_role(
    account: Option<AccountRecord>,
    required: Role,
) -> Result<AccountRecord, AppError> {
    let account = account.ok_or_else(AppError::log_in_first)?;
    match account.role {
        Some(role) if role.includes(required) => Ok(account),
        _ => Err(AppError::Forbidden(
            "Your account is not allowed to do this.".to_owned(),
        )),
    }
}

/// After the password was right: logs the session in, or, for a staff account with
/// two-factor login, asks for a code first, or, for an owner or admin the store requires
/// it of, sends them to set it up. Returns where to send the browser.
pub async fn begin_login(
    session: &Session,
    pool: &PgPool,
    account: &AccountRecord,
    next: String,
) -> Result<String, AppError> {
    use crate::accounts::two_factor::repo as two_factor;
    let step = match account.role {
        None => None,
        Some(_) if two_factor::is_enrolled(pool, account.id).await? => Some(SecondStep::Code),
        Some(role)
            if role.includes(Role::Admin)
                && crate::settings::staff_two_factor_required(pool).await? =>
        {
            Some(SecondStep::Enrol)
        }
        Some(_) => None,
    };
    let Some(step) = step else {
        log_in(session, pool, account).await?;
        return Ok(next);
    };
    // A fresh id for the half-logged-in session too.
    crate::kernel::session::renew_id(session).await?;
    crate::kernel::session::set_pending_login(
        session,
        Some(&PendingLogin {
            account_id: account.id,
            epoch: account.session_epoch,
            step,
            next,
            started_at: chrono::Utc::now().timestamp(),
        }),
    )
    .await?;
    Ok(match step {
        SecondStep::Code => "/account/login/code".to_owned(),
        SecondStep::Enrol => "/account/security?required=1".to_owned(),
    })
}

/// The account part-way through logging in (password accepted, `step` still to do), if
/// the session has one that has not expired and whose password has not changed since.
pub async fn pending_account(
    session: &Session,
    pool: &PgPool,
    step: SecondStep,
) -> Result<Option<(AccountRecord, PendingLogin)>, AppError> {
    let Some(pending) = crate::kernel::session::pending_login(session).await? else {
        return Ok(None);
    };
    if pending.step != step {
        return Ok(None);
    }
    let account = repo::account_at_epoch(pool, pending.account_id, pending.epoch).await?;
    Ok(account.map(|account| (account, pending)))
}

/// Logs the session in: merges its guest cart into the account's, renews the session id
/// (so an id planted before login is worthless after it), records the login (device and
/// address, for the list of logins) and remembers it.
pub async fn log_in(
    session: &Session,
    pool: &PgPool,
    account: &AccountRecord,
) -> Result<(), AppError> {
    let guest_cart = crate::kernel::session::cart_id(session).await?;
    let cart = crate::cart::repo::merge_guest_cart(pool, account.id, guest_cart).await?;
    crate::kernel::session::renew_id(session).await?;
    crate::kernel::session::set_pending_login(session, None).await?;
    remember_login(session, pool, account).await?;
    crate::kernel::session::set_cart(session, cart).await
}

/// Records a new login for this session and remembers it (also after the account's own
/// password change, which ended every login).
pub async fn remember_login(
    session: &Session,
    pool: &PgPool,
    account: &AccountRecord,
) -> Result<(), AppError> {
    let origin = LoginOrigin::of_request().await;
    let mut connection = pool.acquire().await?;
    let login_id = logins::start(&mut connection, account.id, &origin).await?;
    crate::kernel::session::remember_login(
        session,
        SessionLogin {
            account_id: account.id,
            epoch: account.session_epoch,
            login_id: Some(login_id),
        },
    )
    .await
}

/// This session's login id, if it is logged in.
pub async fn current_login_id(session: &Session) -> Result<Option<uuid::Uuid>, AppError> {
    Ok(crate::kernel::session::login(session)
        .await?
        .and_then(|login| login.login_id))
}

/// Logs out: ends the login, forgets everything the session held (account, cart, orders
/// it may reopen) and deletes it, so the next request starts a session with a new id.
pub async fn log_out(session: &Session, pool: &PgPool) -> Result<(), AppError> {
    if let Some(login) = crate::kernel::session::login(session).await? {
        if let Some(id) = login.login_id {
            logins::end(pool, login.account_id, id).await?;
        }
    }
    session.flush().await.map_err(session_error)
}
