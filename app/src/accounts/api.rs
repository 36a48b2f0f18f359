//! Account server functions. Each answers a form (`<ActionForm>`, so they work without
//! JavaScript) and, on success, sends the browser to the page that shows the result.

use crate::accounts::model::{AccountOverview, SavedAddress};
use crate::kernel::address::AddressForm;
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod limits {
    use crate::accounts::throttle::Limit;
    use std::time::Duration;

    const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

    /// Failed logins per email address (known or not: the limit must not tell).
    pub const LOGINS_PER_ACCOUNT: Limit = Limit {
        scope: "login_account",
        max_failures: 10,
        window: FIFTEEN_MINUTES,
    };
    /// Failed logins per client address; higher, as several people can share one.
    pub const LOGINS_PER_CLIENT: Limit = Limit {
        scope: "login_client",
        max_failures: 30,
        window: FIFTEEN_MINUTES,
    };
    /// Emails a client can make us send (registrations and reset links): every request
    /// counts, so nobody can flood a mailbox through the store.
    pub const EMAILS_PER_CLIENT: Limit = Limit {
        scope: "account_email_client",
        max_failures: 10,
        window: FIFTEEN_MINUTES,
    };
    pub const EMAILS_PER_ADDRESS: Limit = Limit {
        scope: "account_email_address",
        max_failures: 5,
        window: FIFTEEN_MINUTES,
    };
}

#[cfg(feature = "ssr")]
mod server {
    use crate::accounts::throttle::{self, Limit};
    use crate::kernel::context::ServerState;
    use crate::kernel::email::EmailAddress;
    use crate::kernel::error::AppError;

    pub fn parse_email(text: &str) -> Result<EmailAddress, AppError> {
        EmailAddress::parse(text).map_err(AppError::InvalidInput)
    }

    /// The key failed attempts of an email address are counted under.
    pub fn email_key(text: &str) -> String {
        text.trim().to_lowercase()
    }

    /// Counts one request that sends an email, refusing once the limits are reached.
    pub async fn count_email_request(
        state: &ServerState,
        email: &EmailAddress,
    ) -> Result<(), AppError> {
        let client = crate::kernel::session::client_address().await;
        let address = email_key(email.as_str());
        let limits: [(Limit, &str); 2] = [
            (super::limits::EMAILS_PER_CLIENT, &client),
            (super::limits::EMAILS_PER_ADDRESS, &address),
        ];
        for (limit, key) in limits {
            throttle::check(&state.pool, limit, key).await?;
        }
        for (limit, key) in limits {
            throttle::record_failure(&state.pool, limit, key).await?;
        }
        Ok(())
    }

    /// Where to go after logging in: a path on this site, never another site.
    pub fn safe_next(next: Option<&str>) -> String {
        match next.map(str::trim) {
            Some(path)
                if path.starts_with('/')
                    && !path.starts_with("//")
                    && !path.contains('\\')
                    && path.len() <= 200
                    && !path.chars().any(char::is_control) =>
            {
                path.to_owned()
            }
            _ => "/account".to_owned(),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::safe_next;

        #[test]
        fn after_login_only_paths_on_this_site_are_followed() {
            assert_eq!(safe_next(Some("/checkout")), "/checkout");
            assert_eq!(safe_next(None), "/account");
            for foreign in [
                "//evil.example",
                "https://evil.example",
                "/\\evil.example",
                "checkout",
                "",
            ] {
                assert_eq!(safe_next(Some(foreign)), "/account", "{foreign}");
            }
        }
    }
}

/// Registers a customer. The answer is the same whether or not the address already has
/// an account: both get an email, and only the mailbox's owner learns which.
#[server(endpoint = "account/register")]
pub async fn register(name: String, email: String, password: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let email = server::parse_email(&email)?;
        crate::accounts::password::check_new_password(
            &password,
            crate::accounts::password::AccountKind::Customer,
        )
        .map_err(AppError::InvalidInput)?;
        server::count_email_request(&state, &email).await?;
        crate::accounts::repo::register(
            &state.pool,
            &name,
            &email,
            &password,
            &state.site.public_url,
        )
        .await?;
        leptos_axum::redirect("/account/register?sent=1");
        Ok(())
    })
    .await
}

/// Follows a confirmation link: confirms the address and logs the session in.
#[server(endpoint = "account/confirm")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::repo::confirm_email(&state.pool, token.trim()).await?;
        let session = crate::kernel::session::current_session().await?;
        let to = crate::accounts::auth::begin_login(
            &session,
            &state.pool,
            &account,
            "/account?welcome=1".to_owned(),
        )
        .await?;
        leptos_axum::redirect(&to);
        Ok(())
    })
    .await
}

#[server(endpoint = "account/login")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        use crate::accounts::repo::LoginCheck;
        use crate::accounts::throttle;
        use limits::{LOGINS_PER_ACCOUNT, LOGINS_PER_CLIENT};
        if email.trim().is_empty()
            || password.is_empty()
            || email.len() > 254
            || password.len() > 1024
        {
            return Err(AppError::invalid("Enter your email and password."));
        }
        let account_key = server::email_key(&email);
        let client_key = crate::kernel::session::client_address().await;
        throttle::check(&state.pool, LOGINS_PER_ACCOUNT, &account_key).await?;
        throttle::check(&state.pool, LOGINS_PER_CLIENT, &client_key).await?;
        match crate::accounts::repo::check_login(
            &state.pool,
            &email,
            &password,
            &state.site.public_url,
        )
        .await?
        {
            LoginCheck::Accepted(account) => {
                throttle::clear(&state.pool, LOGINS_PER_ACCOUNT, &account_key).await?;
                let session = crate::kernel::session::current_session().await?;
                let to = crate::accounts::auth::begin_login(
                    &session,
                    &state.pool,
                    &account,
                    server::safe_next(next.as_deref()),
                )
                .await?;
                leptos_axum::redirect(&to);
                Ok(())
            }
            LoginCheck::Unconfirmed => Err(AppError::Forbidden(
                "Confirm your email address first: we have sent you a new link.".to_owned(),
            )),
            LoginCheck::Refused => {
                throttle::record_failure(&state.pool, LOGINS_PER_ACCOUNT, &account_key).await?;
                throttle::record_failure(&state.pool, LOGINS_PER_CLIENT, &client_key).await?;
                Err(AppError::Unauthorized(
                    "That email and password do not match an account.".to_owned(),
                ))
            }
        }
    })
    .await
}

#[server(endpoint = "account/logout")]
pub async fn log_out() -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let session = crate::kernel::session::current_session().await?;
        crate::accounts::auth::log_out(&session, &state.pool).await?;
        leptos_axum::redirect("/?logged_out=1");
        Ok(())
    })
    .await
}

/// Sends a reset link when the address has an account. The answer never says whether it has.
#[server(endpoint = "account/forgot")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let email = server::parse_email(&email)?;
        server::count_email_request(&state, &email).await?;
        crate::accounts::repo::request_password_reset(&state.pool, &email, &state.site.public_url)
            .await?;
        leptos_axum::redirect("/account/forgot?sent=1");
        Ok(())
    })
    .await
}

/// Sets a new password with a reset link; every session of the account is logged out.
#[server(endpoint = "account/reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::repo::reset_password(
            &state.pool,
            token.trim(),
            &password,
            &state.site.public_url,
        )
        .await?;
        crate::accounts::throttle::clear(
            &state.pool,
            limits::LOGINS_PER_ACCOUNT,
            &server::email_key(&account.email),
        )
        .await?;
        leptos_axum::redirect("/account/login?reset=1");
        Ok(())
    })
    .await
}

/// Changes the password; this session stays logged in (with a new id), all others end.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let updated = crate::accounts::repo::change_password(
            &state.pool,
            &account,
            &current_password,
            &new_password,
            &state.site.public_url,
        )
        .await?;
        let session = crate::kernel::session::current_session().await?;
        crate::kernel::session::renew_id(&session).await?;
        crate::accounts::auth::remember_login(&session, &state.pool, &updated).await?;
        leptos_axum::redirect("/account?password=changed");
        Ok(())
    })
    .await
}

#[server(endpoint = "account/overview")]
pub async fn get_account() -> Result<AccountOverview, AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let orders = crate::accounts::repo::order_history(&state.pool, account.id).await?;
        let saved_cards =
            crate::accounts::saved_cards::saved_cards(&state.pool, account.id).await?;
        Ok(AccountOverview {
            email: account.email,
            name: account.name,
            role: account.role,
            orders,
            saved_cards,
        })
    })
    .await
}

#[server(endpoint = "account/addresses")]
pub async fn get_addresses() -> Result<Vec<SavedAddress>, AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        crate::accounts::repo::addresses(&state.pool, account.id).await
    })
    .await
}

#[server(endpoint = "account/addresses/add")]
pub async fn add_address(address: AddressForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let address = crate::kernel::address::ShippingAddress::parse_fields(&address)
            .map_err(|problems| AppError::InvalidInput(problems.join(" ")))?;
        crate::accounts::repo::add_address(&state.pool, account.id, &address).await?;
        leptos_axum::redirect("/account/addresses");
        Ok(())
    })
    .await
}

#[server(endpoint = "account/addresses/remove")]
pub async fn remove_address(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        crate::accounts::repo::remove_address(&state.pool, account.id, id).await?;
        leptos_axum::redirect("/account/addresses");
        Ok(())
    })
    .await
}

#[server(endpoint = "account/addresses/default")]
pub async fn make_default_address(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        crate::accounts::repo::make_default_address(&state.pool, account.id, id).await?;
        leptos_axum::redirect("/account/addresses");
        Ok(())
    })
    .await
}

/// Removes a saved card: the payment provider stops keeping it.
#[server(endpoint = "account/cards/remove")]
pub async fn remove_saved_card(id: i64) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        let gateways = crate::payments::payment_gateways()?;
        crate::accounts::saved_cards::remove_card(&state.pool, &gateways, account.id, id).await?;
        leptos_axum::redirect("/account?card=removed");
        Ok(())
    })
    .await
}

/// Erases the account after checking its password; logs the session out.
#[server(endpoint = "account/delete")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let account = crate::accounts::auth::require_account().await?;
        if !crate::accounts::repo::password_matches(&state.pool, account.id, &password).await? {
            return Err(AppError::invalid("Your password is not right."));
        }
        let gateways = crate::payments::payment_gateways()?;
        crate::accounts::gdpr::erase(&state.pool, &gateways, account.id, None).await?;
        let session = crate::kernel::session::current_session().await?;
        crate::accounts::auth::log_out(&session, &state.pool).await?;
        leptos_axum::redirect("/?account=deleted");
        Ok(())
    })
    .await
}
