//! Integration API keys: made by admins (staff area or `stoa api-key create`), shown once,
//! stored as SHA-256 with a short prefix to find and recognise them, with scopes, an
//! optional expiry, the last use, and revocation. Every change is audited.

use crate::audit::{record, Actor, Change};
use crate::integrations::model::{ApiKeyRow, NewApiKey, Scope};
use crate::kernel::encoding::hex;
use crate::kernel::error::AppError;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Who is calling the API: a key that exists, is not revoked or expired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub key_id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    created_by: i64,
}

impl ApiCaller {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The key as the audit log names it, under the staff member who made it.
    pub fn actor(&self, client_address: &str) -> Actor {
        Actor {
            id: self.created_by,
            email: format!("API key \"{}\" ({})", self.name, self.prefix),
            client_address: client_address.to_owned(),
        }
    }
}

/// Why a presented key was refused (all answered 401; the log says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    Unknown,
    Revoked,
    Expired,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Malformed | Refusal::Unknown => {
                "The API key is not valid. Send it as `Authorization: Bearer stoa_…`."
            }
            Refusal::Revoked => "The API key was revoked.",
            Refusal::Expired => "The API key has expired.",
        }
    }
}

fn digest(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// `stoa_` + 8 hex digits (the prefix) + `_` + 64 hex digits (256 random bits).
fn new_key() -> (String, String) {
    let mut bytes = [0u8; 36];
    OsRng.fill_bytes(&mut bytes);
    let prefix = format!("stoa_{}", hex(&bytes[..4]));
    (format!("{prefix}_{}", hex(&bytes[4..])), prefix)
}

fn prefix_of(presented: &str) -> Option<&str> {
    let prefix = presented.get(..13)?;
    let well_formed = presented.len() == 13 + 1 + 64
        && prefix.starts_with("stoa_")
        && prefix[5..].bytes().all(|b| b.is_ascii_hexdigit())
        && presented.as_bytes()[13] == b'_'
        && presented[14..].bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then_some(prefix)
}

pub fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "Name the key (1 to 100 characters), e.g. \"Warehouse ERP\".",
        ));
    }
    Ok(name.to_owned())
}

/// Makes a key; the returned text is the only copy.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    name: &str,
    scopes: &[Scope],
    expires_in_days: Option<u32>,
) -> Result<NewApiKey, AppError> {
    let name = check_name(name)?;
    if scopes.is_empty() {
        return Err(AppError::invalid("Give the key at least one scope."));
    }
    if expires_in_days.is_some_and(|days| days == 0 || days > 3650) {
        return Err(AppError::invalid(
            "A key expires after 1 to 3650 days, or never.",
        ));
    }
    // Kept in one order, so lists read alike whatever order they were given in.
    let scope_names: Vec<&str> = Scope::ALL
        .into_iter()
        .filter(|scope| scopes.contains(scope))
        .map(Scope::as_str)
        .collect();
    let (key, prefix) = new_key();
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (name, prefix, secret_hash, scopes, created_by, created_by_email, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
         RETURNING id",
    )
    .bind(&name)
    .bind(&prefix)
    .bind(digest(&key))
    .bind(&scope_names)
    .bind(actor.id)
    .bind(&actor.email)
    .bind(expires_in_days.map(|d| d as i32))
    .fetch_one(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "api_key.create",
            entity_type: "api_key",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "name": name, "prefix": prefix, "scopes": scope_names, "expires_in_days": expires_in_days,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewApiKey { id, prefix, key })
}

pub async fn list(pool: &PgPool) -> Result<Vec<ApiKeyRow>, AppError> {
    type Row = (
        i64,
        String,
        String,
        Vec<String>,
        String,
        String,
        Option<String>,
        bool,
        Option<String>,
        Option<String>,
        i64,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, prefix, scopes, created_by_email,
                to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),
                to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),
                revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()),
                to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),
                last_used_address,
                coalesce(u.requests, 0)::bigint, coalesce(u.errors, 0)::bigint
         FROM api_keys k
         LEFT JOIN (SELECT api_key_id, sum(requests) AS requests, sum(errors) AS errors
                    FROM api_key_usage WHERE day > current_date - 7 GROUP BY api_key_id) u
                ON u.api_key_id = k.id
         ORDER BY revoked_at IS NOT NULL, id DESC",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                name,
                prefix,
                scopes,
                created_by,
                created_at,
                expires_at,
                usable,
                last_used_at,
                last_used_address,
                requests_7d,
                errors_7d,
            )| {
                ApiKeyRow {
                    id,
                    name,
                    prefix,
                    scopes,
                    created_by,
                    created_at,
                    expires_at,
                    usable,
                    last_used_at,
                    last_used_address,
                    requests_7d,
                    errors_7d,
                }
            },
        )
        .collect())
}

/// Revokes a key (by id or prefix): it stops working at once. Audited.
pub async fn revoke(pool: &PgPool, actor: &Actor, id_or_prefix: &str) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let revoked: Option<(i64, String, String)> = sqlx::query_as(
        "UPDATE api_keys SET revoked_at = now()
         WHERE (id::text = $1 OR prefix = $1) AND revoked_at IS NULL
         RETURNING id, name, prefix",
    )
    .bind(id_or_prefix.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, name, prefix)) = revoked else {
        return Err(AppError::NotFound(
            "No key that still works has that id or prefix.".to_owned(),
        ));
    };
    record(
        &mut tx,
        actor,
        Change {
            action: "api_key.revoke",
            entity_type: "api_key",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({ "name": name, "prefix": prefix })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(prefix)
}

/// The caller behind a presented key. Records its last use (time and address; at most
/// once a minute, so busy integrations do not write on every request).
pub async fn authenticate(
    pool: &PgPool,
    presented: &str,
    client_address: &str,
) -> Result<Result<ApiCaller, Refusal>, AppError> {
    let Some(prefix) = prefix_of(presented) else {
        return Ok(Err(Refusal::Malformed));
    };
    type Row = (i64, String, Vec<u8>, Vec<String>, i64, bool, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, secret_hash, scopes, created_by, revoked_at IS NOT NULL,
                expires_at IS NOT NULL AND expires_at <= now()
         FROM api_keys WHERE prefix = $1",
    )
    .bind(prefix)
    .fetch_optional(pool)
    .await?;
    let Some((key_id, name, stored, scopes, created_by, revoked, expired)) = row else {
        return Ok(Err(Refusal::Unknown));
    };
    if !crate::kernel::encoding::same_bytes(&stored, &digest(presented)) {
        return Ok(Err(Refusal::Unknown));
    }
    if revoked {
        return Ok(Err(Refusal::Revoked));
    }
    if expired {
        return Ok(Err(Refusal::Expired));
    }
    sqlx::query(
        "UPDATE api_keys SET last_used_at = now(), last_used_address = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'
                            OR last_used_address IS DISTINCT FROM $2)",
    )
    .bind(key_id)
    .bind(client_address)
    .execute(pool)
    .await?;
    Ok(Ok(ApiCaller {
        key_id,
        name,
        prefix: prefix.to_owned(),
        scopes: scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        created_by,
    }))
}

/// Adds requests counted by a server process: `(key id, requests, of which errors)`, to
/// today's row of each key (keys deleted meanwhile are skipped).
pub async fn add_usage(pool: &PgPool, counts: &[(i64, i64, i64)]) -> Result<(), sqlx::Error> {
    if counts.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = counts.iter().map(|c| c.0).collect();
    let requests: Vec<i64> = counts.iter().map(|c| c.1).collect();
    let errors: Vec<i64> = counts.iter().map(|c| c.2).collect();
    sqlx::query(
        "INSERT INTO api_key_usage (api_key_id, day, requests, errors)
         SELECT c.id, current_date, c.requests, c.errors
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS c (id, requests, errors)
         JOIN api_keys k ON k.id = c.id
         ON CONFLICT (api_key_id, day) DO UPDATE
         SET requests = api_key_usage.requests + excluded.requests,
             errors = api_key_usage.errors + excluded.errors",
    )
    .bind(&ids)
    .bind(&requests)
    .bind(&errors)
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{new_key, prefix_of};

    #[test]
    fn keys_are_long_random_and_carry_their_prefix() {
        let (key, prefix) = new_key();
        assert_eq!(key.len(), 78);
        assert!(key.starts_with(&format!("{prefix}_")));
        assert_eq!(prefix_of(&key), Some(prefix.as_str()));
        assert_ne!(new_key().0, key);
        assert_eq!(prefix_of("stoa_1234"), None);
        assert_eq!(prefix_of(&key.replace('_', "-")), None);
        assert_eq!(prefix_of(&format!("{key}0")), None);
    }
}
