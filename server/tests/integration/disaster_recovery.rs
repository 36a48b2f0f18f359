//! Backups that survive the machine: encrypted with age, copied to a folder or an
//! S3-compatible bucket (`moto` in server mode, started by `./scripts/test`; its address is
//! STOA_TEST_S3_URL), and the disaster-recovery runbook in docs/operations.md followed
//! word for word onto an empty database.

use crate::binary::{http_get, serve_until_ready, stop_and_read_log};
use crate::operations::{busy_store, drop_database, tempdir, text};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rusty_s3::S3Action;
use sqlx::Connection;
use std::path::Path;
use std::process::{Command, Output};
use stoa_server::backup::{manifest_path, media_archive_path, read_manifest, summarise};

fn stoa_with(env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stoa"));
    command.env("RUST_LOG", "warn").args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// A new key pair: the identity file's path and the public key.
fn new_key(dir: &Path, name: &str) -> (std::path::PathBuf, String) {
    let key = dir.join(name);
    let made = stoa_with(&[], &["backup", "new-key", "--out", key.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    let recipient = text(&made)
        .split_whitespace()
        .find(|word| word.starts_with("age1"))
        .expect("the public key is printed")
        .to_owned();
    (key, recipient)
}

fn starts_with(path: &Path, prefix: &[u8]) -> bool {
    std::fs::read(path).unwrap().starts_with(prefix)
}

fn s3_url() -> String {
    std::env::var("STOA_TEST_S3_URL").expect(
        "STOA_TEST_S3_URL names the S3-compatible test server: run ./scripts/test, which starts moto",
    )
}

/// A new, empty bucket on the test server.
async fn new_bucket() -> String {
    let name = format!("stoa-{}", uuid::Uuid::new_v4().simple());
    let bucket = rusty_s3::Bucket::new(
        s3_url().parse().unwrap(),
        rusty_s3::UrlStyle::Path,
        name.clone(),
        "us-east-1",
    )
    .unwrap();
    let credentials = rusty_s3::Credentials::new("test-key", "test-secret");
    let url = bucket
        .create_bucket(&credentials)
        .sign(std::time::Duration::from_secs(60));
    let request = http::Request::put(url.as_str())
        .header(http::header::CONTENT_LENGTH, 0)
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = stoa_server::outbound::http_client()
        .request(request)
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(
        status.is_success(),
        "creating the bucket: {status} {body:?}"
    );
    name
}

fn bucket_settings(bucket: &str, prefix: &str) -> Vec<(&'static str, String)> {
    vec![
        ("STOA_BACKUP_COPY_TO", format!("s3://{bucket}/{prefix}")),
        ("STOA_BACKUP_S3_ENDPOINT", s3_url()),
        ("STOA_BACKUP_S3_ACCESS_KEY_ID", "test-key".to_owned()),
        ("STOA_BACKUP_S3_SECRET_ACCESS_KEY", "test-secret".to_owned()),
    ]
}

fn as_env<'a>(settings: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    settings
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

async fn tables_in(url: &str) -> i64 {
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        .fetch_one(&mut connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_encrypted_backup_holds_no_plaintext_and_restores_only_with_its_identity() {
    let db = busy_store().await;
    let dir = tempdir();
    let (media, dump) = (dir.join("media"), dir.join("store.dump"));
    std::fs::create_dir_all(media.join("uploads")).unwrap();
    std::fs::write(media.join("uploads").join("ab12.webp"), b"image bytes").unwrap();
    let (key, recipient) = new_key(&dir, "backup-key.txt");
    let (wrong_key, _) = new_key(&dir, "another-key.txt");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner can read the secret key");
    }
    let url = db.url();
    let media_text = media.to_str().unwrap().to_owned();
    let base = [
        ("DATABASE_URL", url.as_str()),
        ("STOA_MEDIA_DIR", media_text.as_str()),
    ];
    let mut encrypting = base.to_vec();
    encrypting.push(("STOA_BACKUP_AGE_RECIPIENT", recipient.as_str()));

    let backed_up = stoa_with(&encrypting, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    assert!(text(&backed_up).contains(&format!("encrypted to {recipient}")));
    // Both files are age files: neither pg_dump's header nor the customer's email shows.
    for file in [&dump, &media_archive_path(&dump)] {
        assert!(starts_with(file, b"age-encryption.org/v1"), "{file:?}");
        assert!(!starts_with(file, b"PGDMP"));
        let bytes = std::fs::read(file).unwrap();
        assert!(!bytes.windows(15).any(|w| w == b"ada@example.com"));
    }
    let manifest = read_manifest(&dump).await.unwrap();
    assert_eq!(manifest.encryption.as_deref(), Some("age-x25519"));
    assert_eq!(manifest.encrypted_to.as_deref(), Some(recipient.as_str()));
    let before = summarise(&db.pool).await.unwrap();

    // Verification decrypts with the identity, in a scratch database.
    let verified = stoa_with(
        &base,
        &[
            "backup",
            "verify",
            dump.to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
        ],
    );
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        text(&verified).contains("1 images match"),
        "{}",
        text(&verified)
    );

    // The machine is gone: an empty database and no images.
    let (options, name) = (db.options.clone(), db.name.clone());
    db.drop_database().await;
    std::fs::remove_dir_all(&media).unwrap();
    let without = stoa_with(&base, &["restore", dump.to_str().unwrap()]);
    assert_eq!(without.status.code(), Some(1), "{}", text(&without));
    assert!(
        text(&without).contains(&format!("encrypted to {recipient}"))
            && text(&without).contains("--identity"),
        "{}",
        text(&without)
    );
    let wrong = stoa_with(
        &base,
        &[
            "restore",
            dump.to_str().unwrap(),
            "--identity",
            wrong_key.to_str().unwrap(),
        ],
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(text(&wrong).contains("cannot decrypt"), "{}", text(&wrong));
    assert_eq!(tables_in(&url).await, 0, "nothing was restored");

    let mut with_identity = base.to_vec();
    let key_text = key.to_str().unwrap().to_owned();
    with_identity.push(("STOA_BACKUP_AGE_IDENTITY", key_text.as_str()));
    let restored = stoa_with(&with_identity, &["restore", dump.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    assert_eq!(summarise(&pool).await.unwrap(), before);
    assert_eq!(
        std::fs::read(media.join("uploads").join("ab12.webp")).unwrap(),
        b"image bytes"
    );
    pool.close().await;
    drop_database(&options, &name).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_damaged_encrypted_backup_is_refused_before_anything_is_written() {
    let db = busy_store().await;
    let dir = tempdir();
    let dump = dir.join("store.dump");
    let (key, recipient) = new_key(&dir, "backup-key.txt");
    let url = db.url();
    let backed_up = stoa_with(
        &[
            ("DATABASE_URL", url.as_str()),
            ("STOA_BACKUP_AGE_RECIPIENT", recipient.as_str()),
        ],
        &["backup", "--out", dump.to_str().unwrap()],
    );
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    let mut bytes = std::fs::read(&dump).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&dump, bytes).unwrap();
    let (options, name) = (db.options.clone(), db.name.clone());
    db.drop_database().await;

    let refused = stoa_with(
        &[("DATABASE_URL", url.as_str())],
        &[
            "restore",
            dump.to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("damaged"), "{}", text(&refused));
    assert_eq!(tables_in(&url).await, 0, "nothing was restored");
    drop_database(&options, &name).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn backups_are_copied_to_an_offsite_folder_listed_and_fetched_back() {
    let db = busy_store().await;
    let dir = tempdir();
    let offsite = dir.join("offsite");
    let url = db.url();
    let offsite_text = offsite.to_str().unwrap().to_owned();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("STOA_BACKUP_COPY_TO", offsite_text.as_str()),
    ];
    for name in ["first.dump", "second.dump"] {
        let out = dir.join(name);
        let backed_up = stoa_with(&env, &["backup", "--out", out.to_str().unwrap()]);
        assert!(backed_up.status.success(), "{}", text(&backed_up));
        assert!(text(&backed_up).contains(&format!("copied to {offsite_text}")));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(offsite.join("first.dump").exists());
    assert!(manifest_path(&offsite.join("second.dump")).exists());
    let no_partial_files = std::fs::read_dir(&offsite)
        .unwrap()
        .flatten()
        .all(|entry| !entry.file_name().to_string_lossy().ends_with(".partial"));
    assert!(no_partial_files);

    let listed = stoa_with(&env, &["backup", "offsite"]);
    assert!(listed.status.success(), "{}", text(&listed));
    let names: Vec<String> = text(&listed)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    assert_eq!(names, ["first.dump", "second.dump"], "{}", text(&listed));

    let fetched_dir = dir.join("fetched");
    let fetched = stoa_with(
        &env,
        &["backup", "fetch", "--to", fetched_dir.to_str().unwrap()],
    );
    assert!(fetched.status.success(), "{}", text(&fetched));
    assert_eq!(
        std::fs::read(fetched_dir.join("second.dump")).unwrap(),
        std::fs::read(dir.join("second.dump")).unwrap(),
        "the newest backup came back byte for byte"
    );
    let unknown = stoa_with(
        &env,
        &[
            "backup",
            "fetch",
            "third.dump",
            "--to",
            fetched_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(unknown.status.code(), Some(1), "{}", text(&unknown));
    let escaping = stoa_with(
        &env,
        &[
            "backup",
            "fetch",
            "../first.dump",
            "--to",
            fetched_dir.to_str().unwrap(),
        ],
    );
    assert!(text(&escaping).contains("not a backup's file name"));
    db.drop_database().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_relative_or_unconfigured_offsite_copy_is_refused_with_a_message() {
    let relative = stoa_with(
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/unused"),
            ("STOA_BACKUP_COPY_TO", "backups/offsite"),
        ],
        &["backup", "offsite"],
    );
    assert_eq!(relative.status.code(), Some(2), "{}", text(&relative));
    assert!(text(&relative).contains("STOA_BACKUP_COPY_TO"));
    let keyless = stoa_with(
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/unused"),
            ("STOA_BACKUP_COPY_TO", "s3://bucket/stoa"),
        ],
        &["backup", "offsite"],
    );
    assert_eq!(keyless.status.code(), Some(2), "{}", text(&keyless));
    assert!(text(&keyless).contains("STOA_BACKUP_S3_ACCESS_KEY_ID"));
    let bad_key = stoa_with(
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/unused"),
            ("STOA_BACKUP_AGE_RECIPIENT", "age1notakey"),
        ],
        &["backup", "offsite"],
    );
    assert_eq!(bad_key.status.code(), Some(2), "{}", text(&bad_key));
    assert!(text(&bad_key).contains("STOA_BACKUP_AGE_RECIPIENT"));
    let unconfigured = stoa_with(
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1/unused")],
        &["backup", "offsite"],
    );
    assert_eq!(unconfigured.status.code(), Some(1));
    assert!(text(&unconfigured).contains("set STOA_BACKUP_COPY_TO"));
}

/// The shell block between the runbook's markers in docs/operations.md.
fn runbook_steps() -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/operations.md"),
    )
    .unwrap();
    let start = doc
        .find("<!-- disaster-recovery-steps: begin -->")
        .expect("the runbook marks its steps");
    let end = doc
        .find("<!-- disaster-recovery-steps: end -->")
        .expect("the runbook marks its steps' end");
    let block = &doc[start..end];
    let code_start = block.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let code_end = block.rfind("```").unwrap();
    block[code_start..code_end].to_owned()
}

#[tokio::test]
async fn the_disaster_recovery_runbook_brings_a_new_machine_up_from_the_bucket() {
    // The old machine: a busy store backing up, encrypted, to a bucket.
    let db = busy_store().await;
    let old = tempdir();
    let (media, dump) = (old.join("media"), old.join("stoa-nightly.dump"));
    std::fs::create_dir_all(media.join("uploads")).unwrap();
    std::fs::write(
        media.join("uploads").join("cd34.webp"),
        b"the product photo",
    )
    .unwrap();
    let (key, recipient) = new_key(&old, "stoa-backup-key.txt");
    let bucket = new_bucket().await;
    let settings = bucket_settings(&bucket, "shop/nightly");
    let url = db.url();
    let media_text = media.to_str().unwrap().to_owned();
    let mut old_env = as_env(&settings);
    old_env.extend([
        ("DATABASE_URL", url.as_str()),
        ("STOA_MEDIA_DIR", media_text.as_str()),
        ("STOA_BACKUP_AGE_RECIPIENT", recipient.as_str()),
    ]);
    let backed_up = stoa_with(&old_env, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    assert!(
        text(&backed_up).contains(&format!("copied to s3://{bucket}/shop/nightly/")),
        "{}",
        text(&backed_up)
    );
    let before = summarise(&db.pool).await.unwrap();
    let product: String =
        sqlx::query_scalar("SELECT slug FROM products WHERE is_published ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();

    // Disaster: the database, the images, the local backup are gone. Only the bucket and
    // the identity file (kept elsewhere) remain.
    let (options, name) = (db.options.clone(), db.name.clone());
    db.drop_database().await;
    let kept_key = tempdir().join("stoa-backup-key.txt");
    std::fs::copy(&key, &kept_key).unwrap();
    std::fs::remove_dir_all(&old).unwrap();

    // The new machine follows the runbook's commands as written.
    let new = tempdir();
    let (new_media, restore_dir, site) = (new.join("media"), new.join("restore"), new.join("site"));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg").join("stoa.wasm"), b"\0asm").unwrap();
    let stoa_dir = Path::new(env!("CARGO_BIN_EXE_stoa")).parent().unwrap();
    let path = format!(
        "{}:{}",
        stoa_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut runbook = Command::new("bash");
    runbook
        .args(["-euo", "pipefail", "-c", &runbook_steps()])
        .env("PATH", path)
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", &url)
        .env("STOA_MEDIA_DIR", &new_media)
        .env("STOA_SITE_ROOT", &site)
        .env("RESTORE_DIR", &restore_dir)
        .env("BACKUP_KEY", &kept_key);
    for (name, value) in &settings {
        runbook.env(name, value);
    }
    let followed = runbook.output().unwrap();
    assert!(followed.status.success(), "{}", text(&followed));
    let said = text(&followed);
    assert!(said.contains("stoa-nightly.dump"), "{said}");
    assert!(
        said.contains("rows and checksums match the manifest"),
        "{said}"
    );
    assert!(said.contains("restored 1 image files"), "{said}");

    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    assert_eq!(summarise(&pool).await.unwrap(), before, "every row is back");
    pool.close().await;
    assert_eq!(
        std::fs::read(new_media.join("uploads").join("cd34.webp")).unwrap(),
        b"the product photo"
    );

    // Step 4: the store serves the restored catalog.
    let new_media_text = new_media.to_str().unwrap().to_owned();
    let site_text = site.to_str().unwrap().to_owned();
    let (server, port) = serve_until_ready(
        &url,
        &[
            ("STOA_MEDIA_DIR", new_media_text.as_str()),
            ("STOA_SITE_ROOT", site_text.as_str()),
        ],
        false,
    );
    let page = http_get(port, &format!("/product/{product}")).unwrap();
    assert!(
        page.starts_with("HTTP/1.1 200"),
        "{}",
        &page[..page.len().min(300)]
    );
    let (status, _) = stop_and_read_log(server);
    assert!(status.success());

    drop_database(&options, &name).await;
    std::fs::remove_dir_all(&new).ok();
    std::fs::remove_file(&kept_key).ok();
}

#[tokio::test]
async fn a_bucket_copy_refused_by_the_server_fails_the_backup_command_loudly() {
    let db = busy_store().await;
    let dir = tempdir();
    let dump = dir.join("store.dump");
    // A bucket that was never created.
    let settings = bucket_settings("stoa-no-such-bucket", "x");
    let url = db.url();
    let mut env = as_env(&settings);
    env.push(("DATABASE_URL", url.as_str()));
    let backed_up = stoa_with(&env, &["backup", "--out", dump.to_str().unwrap()]);
    assert_eq!(backed_up.status.code(), Some(1), "{}", text(&backed_up));
    assert!(
        text(&backed_up).contains(
            "the backup is written, but copying it to s3://stoa-no-such-bucket/x/ failed"
        ),
        "{}",
        text(&backed_up)
    );
    assert!(dump.exists(), "the local backup stays");
    db.drop_database().await;
    std::fs::remove_dir_all(&dir).ok();
}
