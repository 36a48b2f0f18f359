//! Every place an account is logged in: one row per login (device, address, when), which
//! the session points at. Ending a login deletes its row, and the session it belonged to
//! is logged out at its next request.

use crate::accounts::two_factor::model::LoginSession;
use crate::kernel::error::AppError;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Where a login comes from.
#[derive(Clone, Debug, Default)]
pub struct LoginOrigin {
    pub user_agent: String,
    pub client_address: String,
}

impl LoginOrigin {
    /// The calling request's browser and address (inside a server function).
    pub async fn of_request() -> Self {
        let user_agent = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        Self {
            user_agent: user_agent
                .chars()
                .filter(|c| !c.is_control())
                .take(512)
                .collect(),
            client_address: crate::kernel::session::client_address()
                .await
                .chars()
                .take(64)
                .collect(),
        }
    }
}

/// Records a new login and returns its id (for the session to remember).
pub async fn start(
    connection: &mut PgConnection,
    account_id: i64,
    origin: &LoginOrigin,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO account_logins (id, account_id, user_agent, client_address)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(account_id)
    .bind(&origin.user_agent)
    .bind(&origin.client_address)
    .execute(connection)
    .await?;
    Ok(id)
}

/// Ends one login of the account (false when it has no such login).
pub async fn end(pool: &PgPool, account_id: i64, id: Uuid) -> Result<bool, AppError> {
    let ended = sqlx::query("DELETE FROM account_logins WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(pool)
        .await?;
    Ok(ended.rows_affected() == 1)
}

/// Ends every login of the account except `keep`; returns how many ended.
pub async fn end_all(
    connection: &mut PgConnection,
    account_id: i64,
    keep: Option<Uuid>,
) -> Result<u64, AppError> {
    let ended = sqlx::query(
        "DELETE FROM account_logins WHERE account_id = $1 AND ($2::uuid IS NULL OR id <> $2)",
    )
    .bind(account_id)
    .bind(keep)
    .execute(connection)
    .await?;
    Ok(ended.rows_affected())
}

/// The account's logins, most recently seen first; `current` marks this session's.
pub async fn list(
    pool: &PgPool,
    account_id: i64,
    current: Option<Uuid>,
) -> Result<Vec<LoginSession>, AppError> {
    let rows: Vec<(Uuid, String, String, String, String)> = sqlx::query_as(
        "SELECT id, user_agent, client_address,
                to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),
                to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')
         FROM account_logins WHERE account_id = $1 ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, user_agent, client_address, logged_in_at, last_seen_at)| LoginSession {
                id: id.to_string(),
                device: device_of(&user_agent),
                client_address,
                logged_in_at,
                last_seen_at,
                current: Some(id) == current,
            },
        )
        .collect())
}

/// Deletes logins not seen for `idle_days` (their sessions have expired anyway).
pub async fn forget_idle(pool: &PgPool, idle_days: i64) -> Result<u64, AppError> {
    let deleted = sqlx::query(
        "DELETE FROM account_logins WHERE last_seen_at < now() - make_interval(days => $1::int)",
    )
    .bind(idle_days)
    .execute(pool)
    .await?;
    Ok(deleted.rows_affected())
}

/// "Firefox on Linux" from a user agent; what a person recognises, not every detail.
pub fn device_of(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) if user_agent.is_empty() => "Unknown device".to_owned(),
        (None, None) => user_agent.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::device_of;

    #[test]
    fn devices_are_named_the_way_people_know_them() {
        assert_eq!(
            device_of("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            device_of("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(
            device_of("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
            "Edge on Windows"
        );
        assert_eq!(device_of(""), "Unknown device");
    }
}
