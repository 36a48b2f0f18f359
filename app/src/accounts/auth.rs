//! Who is calling: the account a session is logged in to, logging in and out, and the one
//! helper every staff server function uses to check the caller's role.

use crate::accounts::model::Role;
use crate::accounts::repo::{self, AccountRecord};
use crate::audit::Actor;
use crate::kernel::context::Caller;
use crate::kernel::error::AppError;
use crate::kernel::session::{session_error, SessionLogin};
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
    repo::session_account(pool, login.account_id, login.epoch).await
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

/// Logs the session in: merges its guest cart into the account's, renews the session id
/// (so an id planted before login is worthless after it) and remembers the account.
pub async fn log_in(
    session: &Session,
    pool: &PgPool,
    account: &AccountRecord,
) -> Result<(), AppError> {
    let guest_cart = crate::kernel::session::cart_id(session).await?;
    let cart = crate::cart::repo::merge_guest_cart(pool, account.id, guest_cart).await?;
    crate::kernel::session::renew_id(session).await?;
    remember_login(session, account).await?;
    crate::kernel::session::set_cart(session, cart).await
}

/// Keeps this session logged in after its own password change (which ends the others).
pub async fn remember_login(session: &Session, account: &AccountRecord) -> Result<(), AppError> {
    crate::kernel::session::remember_login(
        session,
        SessionLogin {
            account_id: account.id,
            epoch: account.session_epoch,
        },
    )
    .await
}

/// Logs out: forgets everything the session held (account, cart, orders it may reopen)
/// and deletes it, so the next request starts a session with a new id.
pub async fn log_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}
