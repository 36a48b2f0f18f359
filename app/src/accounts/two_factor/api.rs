//! Server functions for two-factor login and the list of logins. Each answers a form
//! (`<ActionForm>`, so they work without JavaScript) and sends the browser on.

use crate::accounts::two_factor::model::{LoginSession, TwoFactorStatus};
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::accounts::repo::AccountRecord;
    use crate::accounts::throttle::Limit;
    use crate::audit::Actor;
    use crate::kernel::error::AppError;
    use crate::kernel::session::SecondStep;
    use std::time::Duration;

    /// Wrong codes per account, as strict as passwords: six codes are a million guesses.
    pub const CODES_PER_ACCOUNT: Limit = Limit {
        scope: "two_factor_account",
        max_failures: 5,
        window: Duration::from_secs(15 * 60),
    };
    pub const CODES_PER_CLIENT: Limit = Limit {
        scope: "two_factor_client",
        max_failures: 20,
        window: Duration::from_secs(15 * 60),
    };

    /// Whose second factor the security page is about: the logged-in account, or the one
    /// whose login waits for enrolment. `true` when it is the latter.
    pub async fn subject() -> Result<(AccountRecord, bool), AppError> {
        let state = crate::kernel::context::server_state()?;
        let session = crate::kernel::session::current_session().await?;
        if let Some(account) = crate::accounts::auth::current_account(&session, &state.pool).await?
        {
            return Ok((account, false));
        }
        match crate::accounts::auth::pending_account(&session, &state.pool, SecondStep::Enrol)
            .await?
        {
            Some((account, _)) => Ok((account, true)),
            None => Err(AppError::log_in_first()),
        }
    }

    /// A staff member acting on their own account, for the audit log.
    pub async fn acting_self(account: &AccountRecord) -> Result<Actor, AppError> {
        if account.role.is_none() {
            return Err(AppError::Forbidden(
                "Two-factor login is for staff accounts.".to_owned(),
            ));
        }
        Ok(Actor {
            id: account.id,
            email: account.email.clone(),
            client_address: crate::kernel::session::client_address().await,
        })
    }

    pub fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// The security page's view of the caller's second factor.
#[server(endpoint = "account/two-factor")]
pub async fn security_status() -> Result<TwoFactorStatus, AppError> {
    crate::kernel::context::serve(|state| async move {
        use crate::accounts::two_factor::{code, model::TwoFactorSetup, repo};
        let (account, enrolling_to_log_in) = server::subject().await?;
        let session = crate::kernel::session::current_session().await?;
        let required = match account.role {
            Some(role) => {
                role.includes(crate::accounts::model::Role::Admin)
                    && crate::settings::staff_two_factor_required(&state.pool).await?
            }
            None => false,
        };
        let setup = repo::pending_secret(&state.pool, account.id)
            .await?
            .map(|secret| {
                let url = code::otpauth_url(&state.site.store_name, &account.email, &secret);
                TwoFactorSetup {
                    secret_text: code::grouped(&code::base32(&secret)),
                    qr_svg: code::qr_svg(&url).unwrap_or_default(),
                }
            });
        Ok(TwoFactorStatus {
            email: account.email.clone(),
            is_staff: account.role.is_some(),
            enrolled: repo::is_enrolled(&state.pool, account.id).await?,
            required,
            enrolling_to_log_in,
            setup,
            new_recovery_codes: crate::kernel::session::new_recovery_codes(&session)
                .await?
                .map(|new| new.codes)
                .unwrap_or_default(),
            recovery_codes_left: repo::recovery_codes_left(&state.pool, account.id).await?,
        })
    })
    .await
}

/// Starts setting up: a new secret to scan or type into an authenticator app.
#[server(endpoint = "account/two-factor/start")]
pub async fn start_two_factor() -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let (account, _) = server::subject().await?;
        server::acting_self(&account).await?;
        crate::accounts::two_factor::repo::start_setup(&state.pool, account.id).await?;
        leptos_axum::redirect("/account/security#two-factor");
        Ok(())
    })
    .await
}

/// Confirms the setup with the app's current code. A login waiting for this enrolment
/// is completed; the new recovery codes are shown on the security page until saved.
#[server(endpoint = "account/two-factor/confirm")]
pub async fn confirm_two_factor(code: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        use crate::accounts::throttle;
        use crate::kernel::session::NewRecoveryCodes;
        if code.len() > 32 {
            return Err(AppError::invalid("Enter the 6-digit code your app shows."));
        }
        let (account, enrolling_to_log_in) = server::subject().await?;
        let actor = server::acting_self(&account).await?;
        let account_key = account.id.to_string();
        throttle::check(&state.pool, server::CODES_PER_ACCOUNT, &account_key).await?;
        let codes = match crate::accounts::two_factor::repo::confirm(
            &state.pool,
            &actor,
            &code,
            server::now(),
        )
        .await
        {
            Ok(codes) => codes,
            Err(error) => {
                throttle::record_failure(&state.pool, server::CODES_PER_ACCOUNT, &account_key)
                    .await?;
                return Err(error);
            }
        };
        let session = crate::kernel::session::current_session().await?;
        let mut then = "/account/security".to_owned();
        if enrolling_to_log_in {
            let pending = crate::kernel::session::pending_login(&session).await?;
            then = pending
                .map(|p| p.next)
                .unwrap_or_else(|| "/admin".to_owned());
            crate::accounts::auth::log_in(&session, &state.pool, &account).await?;
        }
        crate::kernel::session::set_new_recovery_codes(
            &session,
            Some(&NewRecoveryCodes { codes, then }),
        )
        .await?;
        leptos_axum::redirect("/account/security?enrolled=1#recovery-codes");
        Ok(())
    })
    .await
}

/// "I have saved these codes": hides them and goes on (to the page a login was headed).
#[server(endpoint = "account/two-factor/codes-saved")]
pub async fn recovery_codes_saved() -> Result<(), AppError> {
    crate::kernel::context::serve(|_| async move {
        let session = crate::kernel::session::current_session().await?;
        let then = crate::kernel::session::new_recovery_codes(&session)
            .await?
            .map(|new| new.then)
            .unwrap_or_else(|| "/account/security".to_owned());
        crate::kernel::session::set_new_recovery_codes(&session, None).await?;
        leptos_axum::redirect(&then);
        Ok(())
    })
    .await
}

/// New recovery codes (the old ones stop working), after the password.
#[server(endpoint = "account/two-factor/new-codes")]
pub async fn renew_recovery_codes(password: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let actor = server::acting_self(&account).await?;
        if password.len() > 1024
            || !crate::accounts::repo::password_matches(&state.pool, account.id, &password).await?
        {
            return Err(AppError::Unauthorized(
                "That is not your current password.".to_owned(),
            ));
        }
        let codes =
            crate::accounts::two_factor::repo::renew_recovery_codes(&state.pool, &actor).await?;
        let session = crate::kernel::session::current_session().await?;
        crate::kernel::session::set_new_recovery_codes(
            &session,
            Some(&crate::kernel::session::NewRecoveryCodes {
                codes,
                then: "/account/security".to_owned(),
            }),
        )
        .await?;
        leptos_axum::redirect("/account/security#recovery-codes");
        Ok(())
    })
    .await
}

/// Turns two-factor login off, after the password; refused while the store requires it.
#[server(endpoint = "account/two-factor/off")]
pub async fn turn_off_two_factor(password: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let actor = server::acting_self(&account).await?;
        if account
            .role
            .is_some_and(|role| role.includes(crate::accounts::model::Role::Admin))
            && crate::settings::staff_two_factor_required(&state.pool).await?
        {
            return Err(AppError::Forbidden(
                "The store requires two-factor login for owners and admins.".to_owned(),
            ));
        }
        if password.len() > 1024
            || !crate::accounts::repo::password_matches(&state.pool, account.id, &password).await?
        {
            return Err(AppError::Unauthorized(
                "That is not your current password.".to_owned(),
            ));
        }
        crate::accounts::two_factor::repo::turn_off(&state.pool, &actor).await?;
        leptos_axum::redirect("/account/security?off=1");
        Ok(())
    })
    .await
}

/// The second step of a staff login: a code from the app, or a recovery code.
#[server(endpoint = "account/login/code")]
pub async fn submit_login_code(code: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        use crate::accounts::throttle;
        use crate::accounts::two_factor::repo::{self, SecondFactor};
        use crate::kernel::session::SecondStep;
        if code.trim().is_empty() || code.len() > 64 {
            return Err(AppError::invalid(
                "Enter the 6-digit code from your app, or a recovery code.",
            ));
        }
        let session = crate::kernel::session::current_session().await?;
        let Some((account, pending)) =
            crate::accounts::auth::pending_account(&session, &state.pool, SecondStep::Code).await?
        else {
            return Err(AppError::Unauthorized(
                "Your login has expired. Log in again with your email and password.".to_owned(),
            ));
        };
        let account_key = account.id.to_string();
        let client_key = crate::kernel::session::client_address().await;
        throttle::check(&state.pool, server::CODES_PER_ACCOUNT, &account_key).await?;
        throttle::check(&state.pool, server::CODES_PER_CLIENT, &client_key).await?;
        let checked = repo::check_login_code(&state.pool, account.id, &code, server::now()).await;
        match checked {
            Ok(Some(factor)) => {
                throttle::clear(&state.pool, server::CODES_PER_ACCOUNT, &account_key).await?;
                crate::accounts::auth::log_in(&session, &state.pool, &account).await?;
                let to = match factor {
                    SecondFactor::RecoveryCode { left } => {
                        format!("/account/security?recovery_used={left}")
                    }
                    SecondFactor::Code => pending.next,
                };
                leptos_axum::redirect(&to);
                Ok(())
            }
            refused => {
                throttle::record_failure(&state.pool, server::CODES_PER_ACCOUNT, &account_key)
                    .await?;
                throttle::record_failure(&state.pool, server::CODES_PER_CLIENT, &client_key)
                    .await?;
                refused?;
                Err(AppError::Unauthorized(
                    "That code is not right. Enter the code your app shows now, or a recovery code."
                        .to_owned(),
                ))
            }
        }
    })
    .await
}

/// Where the caller is logged in.
#[server(endpoint = "account/logins")]
pub async fn my_logins() -> Result<Vec<LoginSession>, AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let session = crate::kernel::session::current_session().await?;
        let current = crate::accounts::auth::current_login_id(&session).await?;
        crate::accounts::logins::list(&state.pool, account.id, current).await
    })
    .await
}

/// Ends one of the caller's logins (another device); `all_others` ends every one but this.
#[server(endpoint = "account/logins/end")]
pub async fn end_login(id: Option<String>, all_others: Option<String>) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let session = crate::kernel::session::current_session().await?;
        let current = crate::accounts::auth::current_login_id(&session).await?;
        if all_others.is_some() {
            let mut connection = state.pool.acquire().await?;
            crate::accounts::logins::end_all(&mut connection, account.id, current).await?;
        } else {
            let id = id
                .as_deref()
                .and_then(|text| uuid::Uuid::parse_str(text.trim()).ok())
                .ok_or_else(|| AppError::invalid("Choose a login to end."))?;
            if Some(id) == current {
                return Err(AppError::invalid(
                    "That is this device: use \"Log out\" instead.",
                ));
            }
            if !crate::accounts::logins::end(&state.pool, account.id, id).await? {
                return Err(AppError::NotFound(
                    "That login has already ended.".to_owned(),
                ));
            }
        }
        leptos_axum::redirect("/account/security?ended=1#logins");
        Ok(())
    })
    .await
}
