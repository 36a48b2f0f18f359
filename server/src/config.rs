//! Configuration from the environment, validated once at start with messages that name
//! the variable at fault.

use sqlx::postgres::PgConnectOptions;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

pub use crate::backup::{BackupSchedule, BackupStorage};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Staging,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub database: PgConnectOptions,
    pub addr: SocketAddr,
    pub public_url: String,
    pub store_name: String,
    pub db_max_connections: u32,
    pub catalog_cache_ttl: Duration,
    pub site_root: PathBuf,
    /// Where uploaded product images and their thumbnails are kept (STOA_MEDIA_DIR);
    /// several server processes must share it.
    pub media_dir: PathBuf,
    pub log_format: LogFormat,
    /// `smtp://user:password@host:587?tls=required` or `smtps://…:465`; without it emails
    /// stay in the outbox table, unsent.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// DATABASE_URL as given, for PostgreSQL's own tools (pg_dump, pg_restore).
    pub database_url: String,
    /// Scheduled backups from the server, when STOA_BACKUP_DIR is set.
    pub backups: Option<BackupSchedule>,
    /// Encryption and off-site copies, for scheduled backups and `stoa backup` alike.
    pub backup_storage: BackupStorage,
    /// The control socket through which a new release takes this server's listening socket
    /// (STOA_HANDOVER_SOCKET); see `crate::handover`.
    pub handover_socket: Option<PathBuf>,
    /// Reverse proxies whose X-Forwarded-For names the client (STOA_TRUSTED_PROXIES).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Card payments through Stripe, when STOA_STRIPE_SECRET_KEY is set.
    pub stripe: Option<StripeConfig>,
}

/// Stripe's keys and addresses. The secret key and the webhook secret are never printed:
/// `Debug` shows their first characters only.
#[derive(Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub publishable_key: String,
    pub webhook_secret: String,
    /// Stripe's API (`https://api.stripe.com`), or a test server (STOA_STRIPE_API_BASE).
    pub api_base: String,
    /// Stripe.js, loaded by the checkout page (STOA_STRIPE_JS_URL).
    pub js_url: String,
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = |secret: &str| format!("{}…", secret.chars().take(8).collect::<String>());
        f.debug_struct("StripeConfig")
            .field("secret_key", &hint(&self.secret_key))
            .field("publishable_key", &self.publishable_key)
            .field("webhook_secret", &hint(&self.webhook_secret))
            .field("api_base", &self.api_base)
            .field("js_url", &self.js_url)
            .finish()
    }
}

/// A key as Stripe issues them: a known prefix, then letters, digits and underscores.
fn stripe_key(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    prefixes: &[&str],
) -> Result<String, ConfigError> {
    let value = get(variable).unwrap_or_default();
    let shaped = prefixes.iter().any(|p| value.starts_with(p))
        && (10..=255).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if shaped {
        Ok(value)
    } else if value.is_empty() {
        Err(invalid(
            variable,
            "is required with STOA_STRIPE_SECRET_KEY (all three Stripe keys go together)",
        ))
    } else {
        Err(invalid(
            variable,
            format!(
                "must start with {} (copy it from Stripe's dashboard)",
                prefixes.join(" or ")
            ),
        ))
    }
}

fn web_address(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
    environment: Environment,
) -> Result<String, ConfigError> {
    let value = get(variable).unwrap_or_else(|| default.to_owned());
    let https = value.starts_with("https://");
    if !(https || value.starts_with("http://"))
        || value.len() > 500
        || value.contains(char::is_whitespace)
    {
        return Err(invalid(variable, "must be an http:// or https:// address"));
    }
    if environment == Environment::Production && !https {
        return Err(invalid(variable, "must be https:// in production"));
    }
    Ok(value)
}

fn stripe_config(
    get: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<StripeConfig>, ConfigError> {
    if get("STOA_STRIPE_SECRET_KEY").is_none() {
        for other in ["STOA_STRIPE_PUBLISHABLE_KEY", "STOA_STRIPE_WEBHOOK_SECRET"] {
            if get(other).is_some() {
                return Err(invalid(
                    "STOA_STRIPE_SECRET_KEY",
                    format!("is required with {other} (all three Stripe keys go together)"),
                ));
            }
        }
        return Ok(None);
    }
    Ok(Some(StripeConfig {
        secret_key: stripe_key(get, "STOA_STRIPE_SECRET_KEY", &["sk_", "rk_"])?,
        publishable_key: stripe_key(get, "STOA_STRIPE_PUBLISHABLE_KEY", &["pk_"])?,
        webhook_secret: stripe_key(get, "STOA_STRIPE_WEBHOOK_SECRET", &["whsec_"])?,
        api_base: web_address(
            get,
            "STOA_STRIPE_API_BASE",
            "https://api.stripe.com",
            environment,
        )?
        .trim_end_matches('/')
        .to_owned(),
        js_url: web_address(
            get,
            "STOA_STRIPE_JS_URL",
            "https://js.stripe.com/v3/",
            environment,
        )?,
    }))
}

impl fmt::Debug for Config {
    // The database URL may carry a password: show only where it points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("database_host", &self.database.get_host())
            .field("database_port", &self.database.get_port())
            .field("database_name", &self.database.get_database())
            .field("addr", &self.addr)
            .field("public_url", &self.public_url)
            .field("db_max_connections", &self.db_max_connections)
            .field("catalog_cache_ttl", &self.catalog_cache_ttl)
            .field("site_root", &self.site_root)
            .field("media_dir", &self.media_dir)
            .field("smtp_configured", &self.smtp_url.is_some())
            .field("mail_from", &self.mail_from)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error in {variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

impl Config {
    /// Whether emails leave the machine: never from a staging copy, whatever STOA_SMTP_URL
    /// says (its customers' addresses may be real ones if it was not anonymized).
    pub fn sends_mail(&self) -> bool {
        self.smtp_url.is_some() && self.environment != Environment::Staging
    }

    /// Whether webhook events are delivered: never from a staging copy.
    pub fn sends_webhooks(&self) -> bool {
        self.environment != Environment::Staging
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the process environment in production, a map
    /// in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let environment = match get("STOA_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("staging") => Environment::Staging,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "STOA_ENV",
                    format!("`{other}` is not one of development, staging, production"),
                ))
            }
        };

        let database_url = get("DATABASE_URL").ok_or_else(|| {
            invalid(
                "DATABASE_URL",
                "not set; point it at PostgreSQL, e.g. postgres://user@127.0.0.1:5432/stoa",
            )
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(invalid(
                "DATABASE_URL",
                "must start with postgres:// or postgresql://",
            ));
        }
        let database = PgConnectOptions::from_str(&database_url)
            .map_err(|e| invalid("DATABASE_URL", format!("not a PostgreSQL URL ({e})")))?;

        let addr_text = get("STOA_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr = SocketAddr::from_str(&addr_text).map_err(|_| {
            invalid(
                "STOA_ADDR",
                format!("`{addr_text}` is not an address and port such as 127.0.0.1:3000"),
            )
        })?;

        let public_url = match get("STOA_PUBLIC_URL") {
            Some(url) => {
                let url = url.trim_end_matches('/').to_owned();
                let valid = (url.starts_with("http://") || url.starts_with("https://"))
                    && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
                if !valid {
                    return Err(invalid(
                        "STOA_PUBLIC_URL",
                        format!("`{url}` is not an http(s) URL such as https://shop.example.com"),
                    ));
                }
                url
            }
            None if environment == Environment::Production => {
                return Err(invalid(
                    "STOA_PUBLIC_URL",
                    "must be set in production (the address shoppers use, e.g. https://shop.example.com)",
                ))
            }
            None => format!("http://{addr}"),
        };

        let store_name = get("STOA_STORE_NAME").unwrap_or_else(|| "Stoa".to_owned());
        if store_name.chars().count() > 80 {
            return Err(invalid("STOA_STORE_NAME", "must be at most 80 characters"));
        }

        let db_max_connections = parse_number(&get, "STOA_DB_MAX_CONNECTIONS", 16, 1, 1_000)?;
        let cache_secs = parse_number(&get, "STOA_CATALOG_CACHE_SECS", 5, 0, 3_600)?;
        let site_root =
            PathBuf::from(get("STOA_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()));
        let media_dir = PathBuf::from(get("STOA_MEDIA_DIR").unwrap_or_else(|| "media".to_owned()));

        let log_format = match get("STOA_LOG_FORMAT").as_deref() {
            None if environment == Environment::Development => LogFormat::Text,
            None => LogFormat::Json,
            Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "STOA_LOG_FORMAT",
                    format!("`{other}` is not one of text, json"),
                ))
            }
        };

        let smtp_url = get("STOA_SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(invalid(
                    "STOA_SMTP_URL",
                    "must start with smtp:// or smtps://",
                ));
            }
        }
        let mail_from =
            get("STOA_MAIL_FROM").unwrap_or_else(|| "Stoa <orders@localhost>".to_owned());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "STOA_MAIL_FROM",
                format!("`{mail_from}` is not a sender such as Shop <orders@shop.example>"),
            ));
        }

        let backups = match get("STOA_BACKUP_DIR") {
            Some(dir) => Some(BackupSchedule {
                dir: PathBuf::from(dir),
                interval: Duration::from_secs(
                    3600 * parse_number(&get, "STOA_BACKUP_INTERVAL_HOURS", 24, 1, 24 * 31)?,
                ),
                keep: parse_number(&get, "STOA_BACKUP_KEEP", 7, 1, 1_000)? as usize,
                verify: parse_number(&get, "STOA_BACKUP_VERIFY", 0, 0, 1)? == 1,
            }),
            None => None,
        };

        let backup_storage = BackupStorage {
            recipient: get("STOA_BACKUP_AGE_RECIPIENT")
                .map(|text| crate::backup::encryption::parse_recipient(&text))
                .transpose()
                .map_err(|message| invalid("STOA_BACKUP_AGE_RECIPIENT", message))?,
            identity_file: get("STOA_BACKUP_AGE_IDENTITY").map(PathBuf::from),
            offsite: get("STOA_BACKUP_COPY_TO")
                .map(|to| crate::backup::offsite::Offsite::from_settings(&to, &get))
                .transpose()
                .map_err(|message| invalid("STOA_BACKUP_COPY_TO", message))?,
        };
        if backup_storage.recipient.is_some()
            && backup_storage.identity_file.is_none()
            && backups.as_ref().is_some_and(|schedule| schedule.verify)
        {
            return Err(invalid(
                "STOA_BACKUP_VERIFY",
                "verifying encrypted backups needs their identity file in STOA_BACKUP_AGE_IDENTITY"
                    .to_owned(),
            ));
        }

        let trusted_proxies = get("STOA_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| {
                text.parse::<std::net::IpAddr>().map_err(|_| {
                    invalid(
                        "STOA_TRUSTED_PROXIES",
                        format!("`{text}` is not an IP address (list them separated by commas)"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let stripe = stripe_config(&get, environment)?;

        Ok(Self {
            stripe,
            smtp_url,
            mail_from,
            database_url,
            backups,
            backup_storage,
            handover_socket: get("STOA_HANDOVER_SOCKET").map(PathBuf::from),
            trusted_proxies,
            environment,
            database,
            addr,
            public_url,
            store_name,
            db_max_connections: db_max_connections as u32,
            catalog_cache_ttl: Duration::from_secs(cache_secs),
            site_root,
            media_dir,
            log_format,
        })
    }
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let Some(text) = get(variable) else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(invalid(
            variable,
            format!("`{text}` is not a whole number from {min} to {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stoa");

    #[test]
    fn defaults_suit_local_development() {
        let config = config_from(&[DB]).unwrap();
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url, "http://127.0.0.1:3000");
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn trusted_proxies_are_a_list_of_addresses() {
        assert!(config_from(&[DB]).unwrap().trusted_proxies.is_empty());
        let two = config_from(&[DB, ("STOA_TRUSTED_PROXIES", "127.0.0.1, ::1")]).unwrap();
        assert_eq!(two.trusted_proxies.len(), 2);
        let bad = config_from(&[DB, ("STOA_TRUSTED_PROXIES", "proxy.internal")]);
        assert_eq!(bad.unwrap_err().variable, "STOA_TRUSTED_PROXIES");
    }

    #[test]
    fn encrypted_backups_verified_by_the_server_need_the_identity_file() {
        const KEY: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        let encrypted = config_from(&[DB, ("STOA_BACKUP_AGE_RECIPIENT", KEY)]).unwrap();
        assert_eq!(encrypted.backup_storage.recipient.unwrap().to_string(), KEY);
        let unverifiable = config_from(&[
            DB,
            ("STOA_BACKUP_DIR", "/var/backups/stoa"),
            ("STOA_BACKUP_VERIFY", "1"),
            ("STOA_BACKUP_AGE_RECIPIENT", KEY),
        ]);
        assert_eq!(unverifiable.unwrap_err().variable, "STOA_BACKUP_VERIFY");
        let verifiable = config_from(&[
            DB,
            ("STOA_BACKUP_DIR", "/var/backups/stoa"),
            ("STOA_BACKUP_VERIFY", "1"),
            ("STOA_BACKUP_AGE_RECIPIENT", KEY),
            ("STOA_BACKUP_AGE_IDENTITY", "/etc/stoa/backup-key.txt"),
        ]);
        assert!(verifiable.is_ok());
    }

    #[test]
    fn an_offsite_bucket_defaults_to_aws_and_never_shows_its_secret() {
        let config = config_from(&[
            DB,
            ("STOA_BACKUP_COPY_TO", "s3://shop-backups/stoa/nightly/"),
            ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret-value"),
            ("STOA_BACKUP_S3_REGION", "eu-central-1"),
        ])
        .unwrap();
        let offsite = config.backup_storage.offsite.unwrap();
        assert_eq!(offsite.describe(), "s3://shop-backups/stoa/nightly/");
        let shown = format!("{offsite:?}");
        assert!(
            shown.contains("https://shop-backups.s3.eu-central-1.amazonaws.com"),
            "{shown}"
        );
        assert!(!shown.contains("very-secret-value"), "{shown}");
        let folder = config_from(&[DB, ("STOA_BACKUP_COPY_TO", "/mnt/offsite")]).unwrap();
        assert_eq!(
            folder.backup_storage.offsite.unwrap().describe(),
            "/mnt/offsite"
        );
        let nameless = config_from(&[DB, ("STOA_BACKUP_COPY_TO", "s3:///stoa")]);
        assert_eq!(nameless.unwrap_err().variable, "STOA_BACKUP_COPY_TO");
    }

    #[test]
    fn scheduled_backups_are_off_until_a_folder_is_given() {
        assert_eq!(config_from(&[DB]).unwrap().backups, None);
        let on = config_from(&[DB, ("STOA_BACKUP_DIR", "/var/backups/stoa")]).unwrap();
        assert_eq!(
            on.backups,
            Some(BackupSchedule {
                dir: PathBuf::from("/var/backups/stoa"),
                interval: Duration::from_secs(24 * 3600),
                keep: 7,
                verify: false,
            })
        );
        let bad = config_from(&[DB, ("STOA_BACKUP_DIR", "/b"), ("STOA_BACKUP_KEEP", "0")]);
        assert_eq!(bad.unwrap_err().variable, "STOA_BACKUP_KEEP");
        let verified = config_from(&[DB, ("STOA_BACKUP_DIR", "/b"), ("STOA_BACKUP_VERIFY", "1")]);
        assert!(verified.unwrap().backups.unwrap().verify);
        let bad = config_from(&[DB, ("STOA_BACKUP_DIR", "/b"), ("STOA_BACKUP_VERIFY", "yes")]);
        assert_eq!(bad.unwrap_err().variable, "STOA_BACKUP_VERIFY");
    }

    #[test]
    fn a_staging_copy_never_sends_email_even_with_smtp_configured() {
        let smtp = ("STOA_SMTP_URL", "smtp://mail.example:587");
        let public = ("STOA_PUBLIC_URL", "https://staging.shop.example");
        let staging = config_from(&[DB, smtp, public, ("STOA_ENV", "staging")]).unwrap();
        assert!(!staging.sends_mail());
        let production = config_from(&[
            DB,
            smtp,
            ("STOA_PUBLIC_URL", "https://shop.example"),
            ("STOA_ENV", "production"),
        ])
        .unwrap();
        assert!(production.sends_mail());
        assert!(
            !config_from(&[DB]).unwrap().sends_mail(),
            "no SMTP, no email"
        );
    }

    #[test]
    fn stripe_is_off_until_its_keys_are_given_and_then_all_three_are_checked() {
        assert!(config_from(&[DB]).unwrap().stripe.is_none());
        let keys = [
            DB,
            ("STOA_STRIPE_SECRET_KEY", "sk_test_0123456789"),
            ("STOA_STRIPE_PUBLISHABLE_KEY", "pk_test_0123456789"),
            ("STOA_STRIPE_WEBHOOK_SECRET", "whsec_0123456789"),
        ];
        let stripe = config_from(&keys).unwrap().stripe.unwrap();
        assert_eq!(stripe.api_base, "https://api.stripe.com");
        let printed = format!("{stripe:?}");
        assert!(!printed.contains("sk_test_0123456789"), "{printed}");
        assert!(!printed.contains("whsec_0123456789"), "{printed}");
        let missing = config_from(&keys[..3]).unwrap_err();
        assert_eq!(missing.variable, "STOA_STRIPE_WEBHOOK_SECRET");
        let alone = config_from(&[DB, ("STOA_STRIPE_PUBLISHABLE_KEY", "pk_test_0123456789")]);
        assert_eq!(alone.unwrap_err().variable, "STOA_STRIPE_SECRET_KEY");
        let swapped = [
            keys[0],
            keys[2],
            ("STOA_STRIPE_PUBLISHABLE_KEY", "sk_test_0123456789"),
            keys[3],
        ];
        let swapped = [
            swapped[0],
            ("STOA_STRIPE_SECRET_KEY", "sk_test_0123456789"),
            swapped[2],
            swapped[3],
        ];
        assert_eq!(
            config_from(&swapped).unwrap_err().variable,
            "STOA_STRIPE_PUBLISHABLE_KEY"
        );
        let plain_http = [
            &keys[..],
            &[
                ("STOA_STRIPE_API_BASE", "http://127.0.0.1:8420"),
                ("STOA_ENV", "production"),
                ("STOA_PUBLIC_URL", "https://shop.example"),
            ],
        ]
        .concat();
        assert_eq!(
            config_from(&plain_http).unwrap_err().variable,
            "STOA_STRIPE_API_BASE"
        );
    }

    #[test]
    fn each_bad_variable_is_named_in_the_error() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "DATABASE_URL"),
            (&[("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (&[DB, ("STOA_ENV", "prod")], "STOA_ENV"),
            (&[DB, ("STOA_ADDR", "localhost")], "STOA_ADDR"),
            (
                &[DB, ("STOA_PUBLIC_URL", "shop.example")],
                "STOA_PUBLIC_URL",
            ),
            (
                &[DB, ("STOA_DB_MAX_CONNECTIONS", "0")],
                "STOA_DB_MAX_CONNECTIONS",
            ),
            (
                &[DB, ("STOA_CATALOG_CACHE_SECS", "-1")],
                "STOA_CATALOG_CACHE_SECS",
            ),
            (&[DB, ("STOA_LOG_FORMAT", "xml")], "STOA_LOG_FORMAT"),
            (&[DB, ("STOA_SMTP_URL", "mail.example:25")], "STOA_SMTP_URL"),
            (
                &[DB, ("STOA_MAIL_FROM", "not an address")],
                "STOA_MAIL_FROM",
            ),
        ];
        for (pairs, variable) in cases {
            let error = config_from(pairs).expect_err(variable);
            assert_eq!(error.variable, *variable);
            assert!(error.to_string().contains(variable));
        }
    }

    #[test]
    fn production_requires_a_public_url_and_logs_json() {
        let error = config_from(&[DB, ("STOA_ENV", "production")]).unwrap_err();
        assert_eq!(error.variable, "STOA_PUBLIC_URL");
        let config = config_from(&[
            DB,
            ("STOA_ENV", "production"),
            ("STOA_PUBLIC_URL", "https://shop.example/"),
        ])
        .unwrap();
        assert_eq!(config.public_url, "https://shop.example");
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let config =
            config_from(&[("DATABASE_URL", "postgres://shop:s3cret@db:5432/stoa")]).unwrap();
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
