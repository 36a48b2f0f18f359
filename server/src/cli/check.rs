//! `stoa check`: is this configuration ready to serve? Configuration, database, schema,
//! built assets, email and staff accounts, each with what to do about a problem.

use crate::config::{Config, Environment};
use sqlx::PgPool;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Works, but probably not what an operator wants.
    Warning,
    /// The store cannot serve correctly like this.
    Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub subject: &'static str,
    pub verdict: Verdict,
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self.verdict {
            Verdict::Ok => "ok     ",
            Verdict::Warning => "warning",
            Verdict::Problem => "PROBLEM",
        };
        write!(f, "{mark}  {:<13} {}", self.subject, self.detail)
    }
}

fn finding(subject: &'static str, verdict: Verdict, detail: impl Into<String>) -> Finding {
    Finding {
        subject,
        verdict,
        detail: detail.into(),
    }
}

/// Advisory data older than this is worth a warning: new advisories appear every week.
const ADVISORY_DATA_MAX_DAYS: i64 = 30;

/// Where `scripts/audit` records its last run: beside the built site's folder
/// (`target/dependency-audit.json` for `target/site`).
pub fn audit_record_path(site_root: &std::path::Path) -> std::path::PathBuf {
    site_root
        .parent()
        .unwrap_or(site_root)
        .join("dependency-audit.json")
}

/// This build's version, and how old the advisory data its dependencies were last
/// checked against was.
fn dependencies_finding(config: &Config, today: chrono::NaiveDate) -> Finding {
    let version = format!("stoa {}", env!("CARGO_PKG_VERSION"));
    let record = std::fs::read_to_string(audit_record_path(&config.site_root))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let Some(record) = record else {
        return finding(
            "dependencies",
            Verdict::Warning,
            format!("{version}; no dependency audit recorded for this build: run scripts/audit"),
        );
    };
    let checked_at = record["checked_at"].as_str().unwrap_or("an unknown time");
    let advisory_date = record["advisory_data_date"]
        .as_str()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    match advisory_date {
        Some(date) => {
            let age = (today - date).num_days();
            let detail = format!(
                "{version}; audited {checked_at} against advisory data of {date} ({age} days old)"
            );
            if age > ADVISORY_DATA_MAX_DAYS {
                finding(
                    "dependencies",
                    Verdict::Warning,
                    format!("{detail}: update the advisory data and run scripts/audit again"),
                )
            } else {
                finding("dependencies", Verdict::Ok, detail)
            }
        }
        None => finding(
            "dependencies",
            Verdict::Warning,
            format!("{version}; audited {checked_at} against advisory data of an unknown date"),
        ),
    }
}

/// Which card provider shoppers get. Keys are never printed; a test key in production and
/// no card payments at all are worth a warning.
fn payments_finding(config: &Config) -> Finding {
    match &config.stripe {
        Some(stripe) => {
            let mode = if stripe.secret_key.contains("_live_") { "live" } else { "test" };
            let verdict = if config.environment == Environment::Production && mode == "test" {
                Verdict::Warning
            } else {
                Verdict::Ok
            };
            finding(
                "payments",
                verdict,
                format!(
                    "cards through Stripe ({mode} keys, API {}); events at {}{}",
                    stripe.api_base,
                    config.public_url.trim_end_matches('/'),
                    crate::payments::STRIPE_EVENTS_PATH
                ),
            )
        }
        None if config.environment == Environment::Production => finding(
            "payments",
            Verdict::Warning,
            "no card payments: only bank transfer or cash on delivery (set STOA_STRIPE_SECRET_KEY, STOA_STRIPE_PUBLISHABLE_KEY and STOA_STRIPE_WEBHOOK_SECRET)",
        ),
        None => finding(
            "payments",
            Verdict::Ok,
            "demo card gateway (test card 4242 4242 4242 4242) and manual payment; Stripe not configured",
        ),
    }
}

/// Everything `stoa check` reports, in order. `pool` is `None` when the database could not
/// be reached (`unreachable` says why).
pub async fn check(
    config: &Config,
    pool: Option<&PgPool>,
    unreachable: Option<String>,
) -> Vec<Finding> {
    let mut findings = vec![dependencies_finding(
        config,
        chrono::Utc::now().date_naive(),
    )];
    findings.push(finding(
        "configuration",
        Verdict::Ok,
        format!(
            "{} environment, public address {}",
            config.environment.as_str(),
            config.public_url
        ),
    ));
    if config.environment == Environment::Production && !config.public_url.starts_with("https://") {
        findings.push(finding(
            "public URL",
            Verdict::Problem,
            "production must be served over https: set STOA_PUBLIC_URL=https://…",
        ));
    }
    findings.push(payments_finding(config));
    let pkg = config.site_root.join("pkg");
    let has_wasm = std::fs::read_dir(&pkg)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        })
        .unwrap_or(false);
    findings.push(if has_wasm {
        finding("assets", Verdict::Ok, format!("built site in {}", config.site_root.display()))
    } else {
        finding(
            "assets",
            Verdict::Problem,
            format!(
                "no WebAssembly in {}: build with `cargo leptos build --release` or set STOA_SITE_ROOT",
                pkg.display()
            ),
        )
    });
    findings.push(match &config.smtp_url {
        Some(_) => finding(
            "email",
            Verdict::Ok,
            format!("sent by SMTP as {}", config.mail_from),
        ),
        None => finding(
            "email",
            if config.environment == Environment::Production {
                Verdict::Problem
            } else {
                Verdict::Warning
            },
            "STOA_SMTP_URL is not set: emails stay in the outbox table, unsent",
        ),
    });
    let Some(pool) = pool else {
        findings.push(finding(
            "database",
            Verdict::Problem,
            unreachable.unwrap_or_else(|| "not reachable".to_owned()),
        ));
        return findings;
    };
    findings.push(finding("database", Verdict::Ok, "reachable"));
    findings.push(schema_finding(pool).await);
    findings.extend(store_findings(pool).await);
    findings
}

async fn schema_finding(pool: &PgPool) -> Finding {
    let known = app::kernel::db::latest_known_migration();
    match app::kernel::db::latest_applied_migration(pool).await {
        Ok(Some(applied)) if applied == known => {
            finding("schema", Verdict::Ok, format!("at version {applied}"))
        }
        Ok(Some(applied)) if applied > known => finding(
            "schema",
            Verdict::Problem,
            format!("at version {applied}, newer than this build ({known}): upgrade Stoa"),
        ),
        Ok(Some(applied)) => finding(
            "schema",
            Verdict::Warning,
            format!("at version {applied}, this build has {known}: `stoa migrate` (or `stoa serve`) applies the rest"),
        ),
        Ok(None) => finding(
            "schema",
            Verdict::Warning,
            "empty database: `stoa migrate` (or `stoa serve`) creates the schema",
        ),
        Err(error) => finding("schema", Verdict::Problem, format!("cannot read: {error}")),
    }
}

/// Findings that need the store's tables (skipped on an empty database).
async fn store_findings(pool: &PgPool) -> Vec<Finding> {
    let owners: Result<i64, _> =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE role = 'owner' AND is_active")
            .fetch_one(pool)
            .await;
    let backlog: Result<i64, _> = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_emails WHERE sent_at IS NULL AND created_at < now() - interval '1 hour'",
    )
    .fetch_one(pool)
    .await;
    let mut findings = Vec::new();
    if let Ok(owners) = owners {
        findings.push(if owners > 0 {
            finding(
                "staff",
                Verdict::Ok,
                format!("{owners} active owner account(s)"),
            )
        } else {
            finding(
                "staff",
                Verdict::Warning,
                "no owner account yet: `stoa create-staff --email E --role owner`",
            )
        });
    }
    if let Ok(backlog) = backlog {
        findings.push(if backlog == 0 {
            finding("outbox", Verdict::Ok, "no email waiting longer than an hour")
        } else {
            finding(
                "outbox",
                Verdict::Warning,
                format!("{backlog} email(s) unsent for over an hour: check STOA_SMTP_URL and the server log"),
            )
        });
    }
    findings
}
