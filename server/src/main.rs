//! `stoa`: the store's server and command line.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use stoa_server::config::{Config, LogFormat};
use stoa_server::{
    backup, cli::anonymize, cli::check, cli::seed, cli::serve, cli::staff, database,
};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "stoa", version, about = "Stoa: a stable online store", long_about = None)]
#[command(
    after_help = "Configuration comes from the environment: DATABASE_URL (required), STOA_ENV, \
STOA_ADDR, STOA_PUBLIC_URL, STOA_STORE_NAME, STOA_DB_MAX_CONNECTIONS, STOA_CATALOG_CACHE_SECS, \
STOA_SITE_ROOT, STOA_LOG_FORMAT, RUST_LOG. See the README."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the store (the default).
    ///
    /// Example: DATABASE_URL=postgres://postgres@127.0.0.1/stoa stoa serve
    Serve,
    /// Create the database if needed and apply pending migrations, then exit.
    ///
    /// Example: stoa migrate
    Migrate {
        /// Apply nothing: list the pending migrations and say whether each only expands the
        /// schema (safe while the previous version still serves); exits with 1 when one
        /// contracts it.
        #[arg(long)]
        check: bool,
    },
    /// Fill an empty store with a demo catalog.
    ///
    /// Examples: stoa seed --demo; stoa seed --demo --products 100000
    Seed {
        /// Generate the demo catalog (categories, products, variants, images).
        #[arg(long, required = true)]
        demo: bool,
        /// How many products to create (1 to 100000).
        #[arg(long, default_value_t = seed::DEFAULT_DEMO_PRODUCTS)]
        products: u32,
        /// Do nothing, successfully, when the catalog already has products.
        #[arg(long)]
        if_empty: bool,
    },
    /// Create a staff account (the store's first owner, for instance).
    ///
    /// Without --password-stdin a strong password is generated and printed once.
    ///
    /// Examples: stoa create-staff --email owner@shop.example --role owner;
    /// printf '%s\n' "$PASSWORD" | stoa create-staff --email ana@shop.example --role staff --password-stdin
    CreateStaff {
        /// The staff member's email address (their login).
        #[arg(long)]
        email: String,
        /// owner (everything, staff accounts included), admin (also customers and settings)
        /// or staff (catalog and orders).
        #[arg(long)]
        role: String,
        /// The name shown in the staff area.
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password (at least 12 characters) from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Back the database up with pg_dump (custom format), with a manifest beside the file,
    /// and the product images (STOA_MEDIA_DIR) as FILE.media.tar.
    ///
    /// The manifest (FILE.manifest.json) records the time, the schema version, rows and a
    /// checksum per table, and the sha256 of the dump and of the images' archive, all of
    /// one point in time; `stoa restore` checks all of them. With
    /// STOA_BACKUP_AGE_RECIPIENT the dump and the archive are encrypted to that age key;
    /// with STOA_BACKUP_COPY_TO the backup is then copied to that folder or bucket.
    ///
    /// Examples: stoa backup --out /var/backups/stoa/2026-11-21.dump;
    /// stoa backup verify /var/backups/stoa/2026-11-21.dump;
    /// stoa backup fetch --to /var/backups/stoa
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        /// The dump file to write (must not exist yet).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[command(subcommand)]
        check: Option<BackupCommand>,
    },
    /// Restore a backup into the (empty) database of DATABASE_URL, then verify it.
    ///
    /// Refuses a database that already has tables, unless --force (which replaces them).
    ///
    /// Example: DATABASE_URL=postgres://postgres@127.0.0.1/stoa_restored stoa restore /var/backups/stoa/2026-11-21.dump
    Restore {
        /// The dump written by `stoa backup` (its manifest must be beside it).
        file: std::path::PathBuf,
        /// Replace the contents of a database that is not empty.
        #[arg(long)]
        force: bool,
        /// The age identity file of an encrypted backup (default: STOA_BACKUP_AGE_IDENTITY).
        #[arg(long)]
        identity: Option<std::path::PathBuf>,
    },
    /// Turn a restored copy of production into a staging copy (never run it on production).
    ///
    /// Customers' names, emails and addresses are replaced consistently, every password
    /// stops working, payment references and card digits are cleared, and sessions, links,
    /// emails and failed attempts are deleted. Refused unless STOA_ENV=staging or --yes.
    ///
    /// Example: STOA_ENV=staging DATABASE_URL=postgres://…/stoa_staging stoa anonymize
    Anonymize {
        /// Run although STOA_ENV is not staging.
        #[arg(long)]
        yes: bool,
    },
    /// Check the configuration, the database, the schema, the built assets, email and
    /// staff accounts; exits with 1 when something would stop the store from serving.
    ///
    /// Example: stoa check
    Check,
    /// Card payments at the provider.
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Keys for the integration API (/api/v1).
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Make a key and print it once (only its prefix is kept readable).
    ///
    /// Scopes: catalog:read, catalog:write, stock:write, orders:read, orders:write,
    /// customers:read.
    ///
    /// Example: stoa api-key create --name "Warehouse ERP" --scopes orders:read,stock:write --expires-days 365
    Create {
        /// What the key is for, e.g. "Warehouse ERP".
        #[arg(long)]
        name: String,
        /// The scopes, separated by commas.
        #[arg(long)]
        scopes: String,
        /// Stop working after this many days (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List the keys (prefix, scopes, last use; never the key).
    List,
    /// Revoke a key by its prefix (stoa_1a2b3c4d) or id: it stops working at once.
    Revoke { key: String },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Restore a backup into a scratch database and folder, check it against its manifest
    /// like a real restore, then remove the scratch copies; the store is not touched.
    /// Exits with 1 when the backup would not restore.
    ///
    /// Example: stoa backup verify /var/backups/stoa/2026-11-21.dump
    Verify {
        /// The dump written by `stoa backup` (its manifest must be beside it).
        file: std::path::PathBuf,
        /// The age identity file of an encrypted backup (default: STOA_BACKUP_AGE_IDENTITY).
        #[arg(long)]
        identity: Option<std::path::PathBuf>,
    },
    /// Create an age key pair for encrypting backups: writes the identity (secret) file,
    /// readable only by you, and prints the public key for STOA_BACKUP_AGE_RECIPIENT.
    /// Keep the identity file off the store's machine: without it no backup restores.
    ///
    /// Example: stoa backup new-key --out ~/stoa-backup-key.txt
    NewKey {
        /// The identity file to write (must not exist yet).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// List the backups at the off-site copy (STOA_BACKUP_COPY_TO), oldest first.
    ///
    /// Example: stoa backup offsite
    Offsite,
    /// Download a backup from the off-site copy (STOA_BACKUP_COPY_TO) into a folder, ready
    /// for `stoa restore`; the newest one unless a name is given.
    ///
    /// Example: stoa backup fetch --to /var/backups/stoa
    Fetch {
        /// The backup's file name as `stoa backup offsite` lists it (default: the newest).
        name: Option<String>,
        /// The folder to download into.
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Compare Stripe orders with Stripe's own record of their payments and list every
    /// difference (captured but not recorded, recorded but not captured, amounts and
    /// refunds that differ); exits with 1 when there is any.
    ///
    /// Example: stoa payments reconcile --since 2026-11-01
    Reconcile {
        /// The first day (YYYY-MM-DD, UTC) whose orders are compared; 30 days ago if left out.
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
    },
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Making a key needs no store.
    if let Some(Command::Backup {
        check: Some(BackupCommand::NewKey { out }),
        ..
    }) = &cli.command
    {
        return match backup::encryption::new_identity_file(out) {
            Ok(recipient) => {
                println!("wrote the secret key to {}; keep it safe and off this machine: no encrypted backup restores without it", out.display());
                println!("public key (set STOA_BACKUP_AGE_RECIPIENT to it): {recipient}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("stoa: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("stoa: {error}");
            return ExitCode::from(2);
        }
    };
    let log_format = config.log_format;
    init_tracing(log_format);
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Log collectors read JSON lines; a person at a terminal wants one plain line.
            match log_format {
                LogFormat::Json => tracing::error!("{message}"),
                LogFormat::Text => eprintln!("stoa: {message}"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn run_api_key(pool: &sqlx::PgPool, command: ApiKeyCommand) -> Result<(), String> {
    use app::integrations::{keys, model::Scope};
    // Changes from the command line are audited as made by the server's operator.
    let operator = app::audit::Actor {
        id: 0,
        email: "command line (stoa api-key)".to_owned(),
        client_address: "local".to_owned(),
    };
    match command {
        ApiKeyCommand::Create {
            name,
            scopes,
            expires_days,
        } => {
            let scopes = Scope::parse_list(&scopes)?;
            let made = keys::create(pool, &operator, &name, &scopes, expires_days)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", made.key);
            eprintln!(
                "made API key {} ({}) with {}; it is shown this once: keep it in the other system's secret store",
                made.prefix,
                name.trim(),
                scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        ApiKeyCommand::List => {
            for key in keys::list(pool).await.map_err(|e| e.to_string())? {
                println!(
                    "{}  {:<24} {:<40} {}  last used {}",
                    key.prefix,
                    key.name,
                    key.scopes.join(","),
                    if key.usable {
                        "active "
                    } else {
                        "revoked or expired"
                    },
                    key.last_used_at.as_deref().unwrap_or("never")
                );
            }
        }
        ApiKeyCommand::Revoke { key } => {
            let prefix = keys::revoke(pool, &operator, &key)
                .await
                .map_err(|e| e.to_string())?;
            println!("revoked {prefix}");
        }
    }
    Ok(())
}

fn offsite_of(config: &Config) -> Result<&backup::offsite::Offsite, String> {
    config.backup_storage.offsite.as_ref().ok_or_else(|| {
        "no off-site copy is configured: set STOA_BACKUP_COPY_TO to a folder or s3://bucket/prefix"
            .to_owned()
    })
}

fn database_url() -> Result<String, String> {
    std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set".to_owned())
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    // These look at the database as it is: no migrations first.
    match command {
        Command::Check => return run_check(&config).await,
        Command::Migrate { check: true } => return run_migration_check(&config).await,
        Command::Payments {
            command: PaymentsCommand::Reconcile { since },
        } => return run_reconcile(&config, since).await,
        Command::ApiKey { command } => {
            let pool = database::open(&config.database, 2)
                .await
                .map_err(|e| e.to_string())?;
            return run_api_key(&pool, command).await;
        }
        Command::Backup {
            check: Some(BackupCommand::Verify { file, identity }),
            ..
        } => {
            let pool = database::open(&config.database, 2)
                .await
                .map_err(|e| e.to_string())?;
            let identity = identity.or(config.backup_storage.identity_file.clone());
            let manifest = backup::verify(&pool, &database_url()?, &file, identity.as_deref())
                .await
                .map_err(|e| format!("{} does not verify: {e}", file.display()))?;
            println!(
                "{} verifies: restored into a scratch database, {} tables and {} images match the manifest (backed up {})",
                file.display(),
                manifest.tables.len(),
                manifest.media.as_ref().map_or(0, |m| m.files),
                manifest.created_at
            );
            return Ok(());
        }
        Command::Backup {
            check: Some(BackupCommand::NewKey { .. }),
            ..
        } => unreachable!("handled before the configuration is read"),
        Command::Backup {
            check: Some(BackupCommand::Offsite),
            ..
        } => {
            let offsite = offsite_of(&config)?;
            let found = offsite.list().await?;
            if found.is_empty() {
                println!("{} holds no backup", offsite.describe());
            }
            for backup in found {
                println!("{}  {}", backup.modified, backup.name);
            }
            return Ok(());
        }
        Command::Backup {
            check: Some(BackupCommand::Fetch { name, to }),
            ..
        } => {
            let offsite = offsite_of(&config)?;
            let dump = offsite.fetch(name.as_deref(), &to).await?;
            let manifest = backup::read_manifest(&dump).await?;
            println!(
                "fetched {} (backed up {}, schema {}{}) from {}",
                dump.display(),
                manifest.created_at,
                manifest.schema_version.unwrap_or(0),
                match &manifest.encrypted_to {
                    Some(recipient) => format!(", encrypted to {recipient}"),
                    None => String::new(),
                },
                offsite.describe()
            );
            println!("restore it with: stoa restore {}", dump.display());
            return Ok(());
        }
        Command::Backup { out, check: None } => {
            let out = out.ok_or("give the file to write with --out FILE, or check one with: stoa backup verify FILE")?;
            let pool = database::open(&config.database, 2)
                .await
                .map_err(|e| e.to_string())?;
            let storage = &config.backup_storage;
            let manifest = backup::backup(
                &pool,
                &database_url()?,
                &out,
                &config.media_dir,
                storage.recipient.as_ref(),
            )
            .await?;
            let rows: i64 = manifest.tables.values().map(|t| t.rows).sum();
            println!(
                "backed up {} tables ({rows} rows, schema {}) to {}; manifest {}",
                manifest.tables.len(),
                manifest.schema_version.unwrap_or(0),
                out.display(),
                backup::manifest_path(&out).display()
            );
            match &manifest.media {
                Some(media) => println!(
                    "backed up {} image files from {} to {}",
                    media.files,
                    config.media_dir.display(),
                    backup::media_archive_path(&out).display()
                ),
                None => println!(
                    "no media folder at {}: no images backed up",
                    config.media_dir.display()
                ),
            }
            if let Some(recipient) = &manifest.encrypted_to {
                println!("encrypted to {recipient}");
            }
            if let Some(offsite) = &storage.offsite {
                offsite.copy(&out).await.map_err(|e| {
                    format!(
                        "the backup is written, but copying it to {} failed: {e}",
                        offsite.describe()
                    )
                })?;
                println!("copied to {}", offsite.describe());
            }
            return Ok(());
        }
        Command::Restore {
            file,
            force,
            identity,
        } => {
            let pool = database::open(&config.database, 2)
                .await
                .map_err(|e| e.to_string())?;
            let identity = identity.or(config.backup_storage.identity_file.clone());
            let manifest = backup::restore(
                &pool,
                &database_url()?,
                &file,
                &config.media_dir,
                force,
                identity.as_deref(),
            )
            .await?;
            println!(
                "restored {} tables from {} (backed up {}); rows and checksums match the manifest",
                manifest.tables.len(),
                file.display(),
                manifest.created_at
            );
            if let Some(media) = &manifest.media {
                println!(
                    "restored {} image files into {}",
                    media.files,
                    config.media_dir.display()
                );
            }
            return Ok(());
        }
        _ => {}
    }
    let pool = database::open(&config.database, config.db_max_connections)
        .await
        .map_err(|e| e.to_string())?;
    database::migrate(&pool).await.map_err(|e| e.to_string())?;
    match command {
        Command::Check
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Payments { .. }
        | Command::ApiKey { .. } => {
            unreachable!("handled above")
        }
        Command::Anonymize { yes } => {
            if config.environment != stoa_server::config::Environment::Staging && !yes {
                return Err(
                    "anonymize rewrites every customer's data: run it with STOA_ENV=staging on a copy, or pass --yes"
                        .to_owned(),
                );
            }
            let done = anonymize::anonymize(&pool)
                .await
                .map_err(|e| format!("anonymizing failed (nothing changed): {e}"))?;
            println!(
                "anonymized {} people: {} accounts, {} orders, {} addresses; all passwords invalidated",
                done.people, done.accounts, done.orders, done.addresses
            );
            Ok(())
        }
        Command::Serve => serve::serve(config, pool)
            .await
            .map_err(|e| format!("server error: {e}")),
        Command::Migrate { .. } => {
            println!(
                "migrations applied; schema at version {}",
                app::kernel::db::latest_known_migration()
            );
            Ok(())
        }
        Command::CreateStaff {
            email,
            role,
            name,
            password_stdin,
        } => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let password_from: Option<&mut dyn std::io::BufRead> =
                password_stdin.then_some(&mut input as &mut dyn std::io::BufRead);
            let created = staff::create_staff(&pool, &email, &name, &role, password_from).await?;
            println!("created {role} account {email} (id {})", created.id);
            if let Some(password) = created.generated_password {
                println!("password (shown only now; change it after logging in): {password}");
            }
            Ok(())
        }
        Command::Seed {
            demo: _,
            products,
            if_empty,
        } => {
            let started = std::time::Instant::now();
            match seed::seed_demo_catalog(&pool, products).await {
                Ok(count) => {
                    println!("seeded {count} demo products in {:.1?}", started.elapsed());
                    Ok(())
                }
                Err(seed::SeedError::CatalogNotEmpty(existing)) if if_empty => {
                    println!("catalog already has {existing} products; not seeding");
                    Ok(())
                }
                Err(error) => Err(error.to_string()),
            }
        }
    }
}

async fn run_reconcile(config: &Config, since: Option<chrono::NaiveDate>) -> Result<(), String> {
    let stripe = config.stripe.as_ref().ok_or(
        "Stripe is not configured (STOA_STRIPE_SECRET_KEY and the other STOA_STRIPE_* settings): there is nothing to reconcile",
    )?;
    let since = match since {
        Some(day) => day.and_time(chrono::NaiveTime::MIN).and_utc(),
        None => chrono::Utc::now() - chrono::Duration::days(30),
    };
    let pool = database::open(&config.database, 2)
        .await
        .map_err(|e| e.to_string())?;
    let client = stoa_server::payments::stripe::StripeClient::new(stripe);
    let report = stoa_server::payments::reconcile::reconcile(&pool, &client, since).await?;
    for difference in &report.differences {
        println!("{difference}");
    }
    let since = since.format("%Y-%m-%d %H:%M UTC");
    match report.differences.len() {
        0 => {
            println!(
                "{} Stripe orders since {since} agree with Stripe",
                report.orders_checked
            );
            Ok(())
        }
        found => Err(format!(
            "{found} difference(s) in {} Stripe orders since {since}",
            report.orders_checked
        )),
    }
}

async fn run_migration_check(config: &Config) -> Result<(), String> {
    let pool = database::open(&config.database, 2)
        .await
        .map_err(|e| e.to_string())?;
    let pending = stoa_server::cli::migration_check::check_pending(&pool).await?;
    if pending.is_empty() {
        println!("no pending migrations");
        return Ok(());
    }
    if app::kernel::db::latest_applied_migration(&pool)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        println!(
            "a new database: no version runs on it yet, all {} migrations can be applied",
            pending.len()
        );
        return Ok(());
    }
    let mut contracting = 0;
    for (version, description, contractions) in &pending {
        if contractions.is_empty() {
            println!(
                "{version} {description}: expands only; safe while the previous version serves"
            );
        }
        for found in contractions {
            contracting += 1;
            println!(
                "{version} {description}: CONTRACTS: {}: {}",
                found.reason, found.statement
            );
        }
    }
    if contracting == 0 {
        println!(
            "{} pending migrations, all safe to apply before replacing the running version",
            pending.len()
        );
        Ok(())
    } else {
        Err(format!(
            "{contracting} statement(s) in the pending migrations contract the schema: stop the previous version first, or move them to a later release (docs/operations.md)"
        ))
    }
}

async fn run_check(config: &Config) -> Result<(), String> {
    let (pool, unreachable) = match app::kernel::db::connect(config.database.clone(), 2).await {
        Ok(pool) => (Some(pool), None),
        Err(error) => (None, Some(format!("cannot connect: {error}"))),
    };
    let findings = check::check(config, pool.as_ref(), unreachable).await;
    for finding in &findings {
        println!("{finding}");
    }
    let problems = findings
        .iter()
        .filter(|f| f.verdict == check::Verdict::Problem)
        .count();
    if problems == 0 {
        println!("ready to serve");
        Ok(())
    } else {
        Err(format!("{problems} problem(s) to fix before serving"))
    }
}
