//! `stoa backup` and `stoa restore`: PostgreSQL's own tools (`pg_dump` in custom format,
//! `pg_restore`) plus a manifest beside the dump (time, schema version, rows and a checksum
//! per table, sha256 of the dump) that a restore checks before and after, and the product
//! images (the media folder) as a tar archive beside them. Dump and archive can be
//! encrypted with age (`encryption`) and copied off the machine (`offsite`).

pub mod encryption;
pub mod offsite;

use encryption::{Recipient, AGE_X25519};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Command;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    pub rows: i64,
    /// md5 of the table's rows as text, in a fixed order: equal data, equal checksum.
    pub checksum: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub schema_version: Option<i64>,
    pub dump_file: String,
    pub dump_sha256: String,
    pub tables: BTreeMap<String, TableSummary>,
    /// The media folder's archive, when the store had one (older backups have none).
    #[serde(default)]
    pub media: Option<MediaArchive>,
    /// How the dump and the media archive are encrypted (`age-x25519`), when they are;
    /// the sha256 sums above are of the plaintext.
    #[serde(default)]
    pub encryption: Option<String>,
    /// The age recipient (public key) they are encrypted to: its identity file restores.
    #[serde(default)]
    pub encrypted_to: Option<String>,
}

/// Product images and thumbnails, archived beside the dump.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaArchive {
    pub file: String,
    pub sha256: String,
    pub files: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub interval: Duration,
    /// How many backups to keep; older ones are deleted after each new one.
    pub keep: usize,
    /// Restore each new backup into a scratch database to prove it (STOA_BACKUP_VERIFY;
    /// the database user must be allowed to create databases).
    pub verify: bool,
}

/// How backups are protected and where their copies go.
#[derive(Clone, Debug, Default)]
pub struct BackupStorage {
    /// Encrypt backups to this age public key (STOA_BACKUP_AGE_RECIPIENT).
    pub recipient: Option<encryption::Recipient>,
    /// The age identity file that decrypts them, for restores and verification
    /// (STOA_BACKUP_AGE_IDENTITY; keep it off the store's machine unless verifying there).
    pub identity_file: Option<PathBuf>,
    /// Copy each backup here (STOA_BACKUP_COPY_TO: a folder or s3://bucket/prefix).
    pub offsite: Option<offsite::Offsite>,
}

pub const MANIFEST_FORMAT: &str = "stoa-backup/1";

/// Where the manifest of `dump` lives: beside it, `.manifest.json` appended.
pub fn manifest_path(dump: &Path) -> PathBuf {
    let mut name = dump.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

/// Where the media archive of `dump` lives: beside it, `.media.tar` appended.
pub fn media_archive_path(dump: &Path) -> PathBuf {
    let mut name = dump.as_os_str().to_owned();
    name.push(".media.tar");
    PathBuf::from(name)
}

/// How many files are under `dir`, at any depth.
fn count_files(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => count_files(&entry.path()),
            Ok(kind) if kind.is_file() => 1,
            _ => 0,
        })
        .sum()
}

/// Archives the media folder beside `dump`, encrypted to `recipient` when given (nothing
/// when the store has no media folder).
async fn archive_media(
    media: &Path,
    dump: &Path,
    recipient: Option<&Recipient>,
) -> Result<Option<MediaArchive>, String> {
    if !media.is_dir() {
        return Ok(None);
    }
    let archive = media_archive_path(dump);
    let mut tar = std::process::Command::new("tar");
    tar.arg("--create")
        .arg("--file")
        .arg("-")
        .arg("--directory")
        .arg(media)
        .arg(".");
    let sha256 = write_blocking(tar, "tar", &archive, recipient).await?;
    Ok(Some(MediaArchive {
        file: file_name(&archive),
        sha256,
        files: count_files(media),
    }))
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `encryption::write_command_output` on a blocking thread.
async fn write_blocking(
    command: std::process::Command,
    what: &'static str,
    out: &Path,
    recipient: Option<&Recipient>,
) -> Result<String, String> {
    let out = out.to_owned();
    let recipient = recipient.cloned();
    tokio::task::spawn_blocking(move || {
        encryption::write_command_output(command, what, &out, recipient.as_ref())
    })
    .await
    .map_err(|e| format!("{what} stopped: {e}"))?
}

/// A backup file ready for the restore tools: checked against the manifest's sha256
/// (of the plaintext) and, when the backup is encrypted, decrypted into a private
/// temporary folder first (removed when the value is dropped).
struct Readable {
    path: PathBuf,
    _decrypted: Option<encryption::Decrypted>,
}

async fn readable(
    file: PathBuf,
    expected_sha256: &str,
    manifest: &Manifest,
    identity_file: Option<&Path>,
) -> Result<Readable, String> {
    let decrypted = match &manifest.encryption {
        None => None,
        Some(kind) if kind == AGE_X25519 => {
            let identity_file = identity_file.ok_or_else(|| {
                format!(
                    "this backup is encrypted to {}: give its identity file with --identity FILE (or STOA_BACKUP_AGE_IDENTITY)",
                    manifest.encrypted_to.as_deref().unwrap_or("an age key")
                )
            })?;
            let identities = encryption::read_identity_file(identity_file)?;
            let encrypted = file.clone();
            Some(
                tokio::task::spawn_blocking(move || {
                    encryption::decrypt_to_temporary(&encrypted, &identities)
                })
                .await
                .map_err(|e| format!("decrypting stopped: {e}"))??,
            )
        }
        Some(kind) => return Err(format!("unknown backup encryption {kind}")),
    };
    let path = decrypted
        .as_ref()
        .map_or(file.clone(), |plain| plain.path.clone());
    let actual = sha256_of(&path).await?;
    if actual != expected_sha256 {
        return Err(format!(
            "{} does not match its manifest (sha256 {actual}, expected {expected_sha256}); the file is damaged or not the one backed up",
            file.display()
        ));
    }
    Ok(Readable {
        path,
        _decrypted: decrypted,
    })
}

/// The tables of the public schema, sorted.
async fn tables(pool: &PgPool) -> Result<Vec<String>, String> {
    tables_in(&mut *pool.acquire().await.map_err(|e| e.to_string())?).await
}

async fn tables_in(connection: &mut PgConnection) -> Result<Vec<String>, String> {
    sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    )
    .fetch_all(connection)
    .await
    .map_err(|e| format!("listing tables failed: {e}"))
}

/// Rows and checksum of every table in the public schema, all read from one snapshot.
pub async fn summarise(pool: &PgPool) -> Result<BTreeMap<String, TableSummary>, String> {
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    let summary = summarise_in(&mut tx).await?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(summary)
}

/// Rows and checksum of every table, as the connection's transaction sees them.
async fn summarise_in(
    connection: &mut PgConnection,
) -> Result<BTreeMap<String, TableSummary>, String> {
    let mut summary = BTreeMap::new();
    for table in tables_in(connection).await? {
        // Table names come from the catalog; quote_ident keeps odd names safe anyway.
        let quoted: String = sqlx::query_scalar("SELECT quote_ident($1)")
            .bind(&table)
            .fetch_one(&mut *connection)
            .await
            .map_err(|e| e.to_string())?;
        let (rows, checksum): (i64, Option<String>) = sqlx::query_as(&format!(
            "SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {quoted} t"
        ))
        .fetch_one(&mut *connection)
        .await
        .map_err(|e| format!("reading {table} failed: {e}"))?;
        summary.insert(
            table,
            TableSummary {
                rows,
                checksum: checksum.unwrap_or_default(),
            },
        );
    }
    Ok(summary)
}

async fn sha256_of(path: &Path) -> Result<String, String> {
    use tokio::io::AsyncReadExt;
    let cannot_read = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = tokio::fs::File::open(path).await.map_err(cannot_read)?;
    let mut hash = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let read = file.read(&mut buffer).await.map_err(cannot_read)?;
        if read == 0 {
            break;
        }
        hash.update(&buffer[..read]);
    }
    Ok(app::kernel::encoding::hex(&hash.finalize()))
}

/// A PostgreSQL client tool: from PATH, or from the newest /usr/lib/postgresql/*/bin.
fn pg_tool(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join(name))
        .filter(|path| path.exists())
        .collect();
    versions.sort();
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).exists()))
        .unwrap_or(false);
    if on_path {
        PathBuf::from(name)
    } else {
        versions.pop().unwrap_or_else(|| PathBuf::from(name))
    }
}

async fn run_tool(mut command: Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .await
        .map_err(|e| format!("cannot run {what}: {e} (install the PostgreSQL client tools)"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Dumps the database to `out` and writes the manifest beside it. The dump and the
/// manifest's schema version, row counts and checksums all come from one snapshot: a
/// transaction exports it (`pg_export_snapshot`) and stays open while `pg_dump
/// --snapshot` dumps exactly what it sees, so a backup of a busy store verifies cleanly.
/// With a `recipient`, the dump and the images' archive are encrypted to it as they are
/// written.
pub async fn backup(
    pool: &PgPool,
    database_url: &str,
    out: &Path,
    media: &Path,
    recipient: Option<&Recipient>,
) -> Result<Manifest, String> {
    if out.exists() {
        return Err(format!(
            "{} already exists; choose a new file",
            out.display()
        ));
    }
    let mut snapshot = pool.begin().await.map_err(|e| e.to_string())?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *snapshot)
        .await
        .map_err(|e| e.to_string())?;
    let snapshot_id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *snapshot)
        .await
        .map_err(|e| format!("exporting a snapshot failed: {e}"))?;
    let mut dump = std::process::Command::new(pg_tool("pg_dump"));
    dump.arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--snapshot")
        .arg(&snapshot_id)
        .arg("--dbname")
        .arg(database_url);
    // The manifest's figures are read from the snapshot while pg_dump writes it.
    let (dumped, tables) = tokio::join!(
        write_blocking(dump, "pg_dump", out, recipient),
        summarise_in(&mut snapshot)
    );
    let dump_sha256 = dumped?;
    let tables = tables?;
    let schema_version = migration_in_snapshot(&mut snapshot).await?;
    snapshot.commit().await.map_err(|e| e.to_string())?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        created_at: chrono::Utc::now().to_rfc3339(),
        schema_version,
        dump_file: file_name(out),
        dump_sha256,
        tables,
        media: archive_media(media, out, recipient).await?,
        encryption: recipient.map(|_| AGE_X25519.to_owned()),
        encrypted_to: recipient.map(ToString::to_string),
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    tokio::fs::write(manifest_path(out), text)
        .await
        .map_err(|e| format!("cannot write the manifest: {e}"))?;
    Ok(manifest)
}

/// The newest migration applied, as the snapshot sees it.
async fn migration_in_snapshot(connection: &mut PgConnection) -> Result<Option<i64>, String> {
    let failed = |e: sqlx::Error| format!("reading the schema version failed: {e}");
    let migrated: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *connection)
        .await
        .map_err(failed)?;
    if !migrated {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(connection)
        .await
        .map_err(failed)
}

pub async fn read_manifest(dump: &Path) -> Result<Manifest, String> {
    let path = manifest_path(dump);
    let text = tokio::fs::read_to_string(&path)
        .await
        .map_err(|e| format!("cannot read the manifest {}: {e}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("the manifest {} is not valid: {e}", path.display()))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(format!("unknown manifest format {}", manifest.format));
    }
    Ok(manifest)
}

/// Restores `dump` into the (empty) database, then checks every table against the
/// manifest. A non-empty database is refused unless `force` (its tables are replaced).
/// An encrypted backup needs the `identity_file` its manifest's recipient belongs to.
pub async fn restore(
    pool: &PgPool,
    database_url: &str,
    dump: &Path,
    media: &Path,
    force: bool,
    identity_file: Option<&Path>,
) -> Result<Manifest, String> {
    let manifest = read_manifest(dump).await?;
    let plain_dump = readable(
        dump.to_owned(),
        &manifest.dump_sha256,
        &manifest,
        identity_file,
    )
    .await?;
    let media_archive = match &manifest.media {
        Some(archive) => Some(
            readable(
                media_archive_path(dump),
                &archive.sha256,
                &manifest,
                identity_file,
            )
            .await?,
        ),
        None => None,
    };
    let existing = tables(pool).await?;
    if !existing.is_empty() && !force {
        return Err(format!(
            "the database is not empty ({} tables); restore into an empty database, or pass --force to replace its contents",
            existing.len()
        ));
    }
    let mut command = Command::new(pg_tool("pg_restore"));
    command
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--exit-on-error")
        .arg("--single-transaction");
    if force {
        command.arg("--clean").arg("--if-exists");
    }
    command
        .arg("--dbname")
        .arg(database_url)
        .arg(&plain_dump.path);
    run_tool(command, "pg_restore").await?;
    let restored = summarise(pool).await?;
    let differences: Vec<String> = manifest
        .tables
        .iter()
        .filter(|(table, expected)| restored.get(*table) != Some(expected))
        .map(|(table, expected)| match restored.get(table) {
            Some(found) => format!("{table}: {} rows (expected {})", found.rows, expected.rows),
            None => format!("{table}: missing"),
        })
        .collect();
    if !differences.is_empty() {
        return Err(format!(
            "the restored data does not match the manifest: {}",
            differences.join("; ")
        ));
    }
    if let Some(archive) = media_archive {
        tokio::fs::create_dir_all(media)
            .await
            .map_err(|e| format!("cannot create {}: {e}", media.display()))?;
        let mut tar = Command::new("tar");
        tar.arg("--extract")
            .arg("--file")
            .arg(&archive.path)
            .arg("--directory")
            .arg(media);
        run_tool(tar, "tar").await?;
    }
    Ok(manifest)
}

/// `url` with its database name replaced by `name` (the rest, password and parameters
/// included, kept).
fn with_database(url: &str, name: &str) -> Result<String, String> {
    let unusable = || "DATABASE_URL is not a postgres://…/database URL".to_owned();
    let authority_start = url.find("://").ok_or_else(unusable)? + 3;
    let path_start = url[authority_start..]
        .find('/')
        .map(|i| authority_start + i)
        .ok_or_else(unusable)?;
    let query_start = url[path_start..]
        .find('?')
        .map_or(url.len(), |i| path_start + i);
    Ok(format!(
        "{}/{name}{}",
        &url[..path_start],
        &url[query_start..]
    ))
}

/// Restores `dump` (and its images) into a scratch database and folder beside the store's,
/// checks everything against the manifest the way a real restore does, then removes the
/// scratch copies. Proves the backup can be restored without touching the store.
pub async fn verify(
    pool: &PgPool,
    database_url: &str,
    dump: &Path,
    identity_file: Option<&Path>,
) -> Result<Manifest, String> {
    let scratch = format!(
        "stoa_verify_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let scratch_url = with_database(database_url, &scratch)?;
    let scratch_media = std::env::temp_dir().join(&scratch);
    sqlx::query(&format!("CREATE DATABASE {scratch}"))
        .execute(pool)
        .await
        .map_err(|e| format!("cannot create the scratch database {scratch}: {e}"))?;
    let checked = async {
        let options: sqlx::postgres::PgConnectOptions =
            scratch_url.parse().map_err(|e| format!("{e}"))?;
        let scratch_pool = app::kernel::db::connect(options, 2)
            .await
            .map_err(|e| format!("cannot open the scratch database: {e}"))?;
        let restored = restore(
            &scratch_pool,
            &scratch_url,
            dump,
            &scratch_media,
            false,
            identity_file,
        )
        .await;
        scratch_pool.close().await;
        let manifest = restored?;
        if let Some(media) = &manifest.media {
            let found = count_files(&scratch_media);
            if found != media.files {
                return Err(format!(
                    "the images' archive holds {found} files; the manifest says {}",
                    media.files
                ));
            }
        }
        Ok(manifest)
    }
    .await;
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        .execute(pool)
        .await;
    tokio::fs::remove_dir_all(&scratch_media).await.ok();
    if let Err(error) = dropped {
        tracing::warn!(%error, database = %scratch, "dropping the scratch database failed");
    }
    checked
}

/// Dumps in `dir` that have their manifest beside them, oldest first (names sort by time).
pub fn backups_in(dir: &Path) -> Vec<PathBuf> {
    let mut dumps: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|x| x == "dump") && manifest_path(path).exists()
        })
        .collect();
    dumps.sort();
    dumps
}

/// How long ago the newest backup in `dir` was written.
pub fn last_backup_age(dir: &Path) -> Option<std::time::Duration> {
    let newest = backups_in(dir).pop()?;
    let written = std::fs::metadata(manifest_path(&newest))
        .ok()?
        .modified()
        .ok()?;
    Some(written.elapsed().unwrap_or_default())
}

/// One scheduled backup: a new dump named after the time, then only the newest `keep`
/// backups are kept.
pub async fn scheduled_backup(
    pool: &PgPool,
    database_url: &str,
    dir: &Path,
    media: &Path,
    keep: usize,
    recipient: Option<&Recipient>,
) -> Result<PathBuf, String> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = chrono::Utc::now()
        .format("stoa-%Y%m%d-%H%M%S%.3f.dump")
        .to_string();
    let out = dir.join(name);
    backup(pool, database_url, &out, media, recipient).await?;
    let all = backups_in(dir);
    for old in &all[..all.len().saturating_sub(keep)] {
        std::fs::remove_file(manifest_path(old)).ok();
        std::fs::remove_file(media_archive_path(old)).ok();
        std::fs::remove_file(old).ok();
    }
    Ok(out)
}

/// Exports the age of the newest backup as `stoa_backup_last_age_seconds` (absent until
/// the first backup exists).
pub fn record_backup_age(dir: &Path) {
    if let Some(age) = last_backup_age(dir) {
        metrics::gauge!("stoa_backup_last_age_seconds").set(age.as_secs_f64());
    }
}

/// Backs up every `interval` while the server runs. Several processes may share the
/// folder: a PostgreSQL advisory lock lets one of them back up at a time, and each checks
/// the newest backup's age first, so the store gets one backup per interval.
pub fn spawn_scheduled_backups(
    pool: PgPool,
    schedule: BackupSchedule,
    storage: BackupStorage,
    database_url: String,
    media: PathBuf,
) {
    tokio::spawn(async move {
        loop {
            record_backup_age(&schedule.dir);
            let due = last_backup_age(&schedule.dir).is_none_or(|age| age >= schedule.interval);
            if due {
                match backup_once_across_processes(
                    &pool,
                    &database_url,
                    &schedule,
                    &storage,
                    &media,
                )
                .await
                {
                    Ok(Some(out)) => {
                        tracing::info!(file = %out.display(), "scheduled backup written")
                    }
                    Ok(None) => {}
                    Err(error) => {
                        metrics::counter!("stoa_backup_failures_total").increment(1);
                        tracing::error!(%error, "scheduled backup failed; retrying in 10 minutes");
                        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                        continue;
                    }
                }
                record_backup_age(&schedule.dir);
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
}

async fn backup_once_across_processes(
    pool: &PgPool,
    database_url: &str,
    schedule: &BackupSchedule,
    storage: &BackupStorage,
    media: &Path,
) -> Result<Option<PathBuf>, String> {
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let got_lock: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('stoa scheduled backup'))")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
    // Another process is backing up, or just did.
    if !got_lock || last_backup_age(&schedule.dir).is_some_and(|age| age < schedule.interval) {
        return Ok(None);
    }
    let out = scheduled_backup(
        pool,
        database_url,
        &schedule.dir,
        media,
        schedule.keep,
        storage.recipient.as_ref(),
    )
    .await?;
    tx.commit().await.map_err(|e| e.to_string())?;
    if let Some(offsite) = &storage.offsite {
        let copied = offsite.copy(&out).await;
        metrics::gauge!("stoa_backup_last_offsite_copy_ok").set(if copied.is_ok() {
            1.0
        } else {
            0.0
        });
        match copied {
            Ok(()) => {
                tracing::info!(file = %out.display(), to = %offsite.describe(), "scheduled backup copied off-site")
            }
            Err(error) => {
                tracing::error!(%error, file = %out.display(), to = %offsite.describe(), "copying the scheduled backup off-site failed")
            }
        }
    }
    if schedule.verify {
        let verified = verify(pool, database_url, &out, storage.identity_file.as_deref()).await;
        metrics::gauge!("stoa_backup_last_verify_ok").set(if verified.is_ok() { 1.0 } else { 0.0 });
        match verified {
            Ok(_) => tracing::info!(file = %out.display(), "scheduled backup verified"),
            Err(error) => {
                tracing::error!(%error, file = %out.display(), "the scheduled backup does not verify")
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_scratch_database_url_keeps_everything_but_the_name() {
        assert_eq!(
            with_database(
                "postgres://stoa:secret@db.internal:5433/shop?sslmode=require",
                "scratch"
            ),
            Ok("postgres://stoa:secret@db.internal:5433/scratch?sslmode=require".to_owned())
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1/shop", "scratch"),
            Ok("postgres://postgres@127.0.0.1/scratch".to_owned())
        );
        assert!(with_database("shop", "scratch").is_err());
    }
}
