//! Operating the store with the `stoa` binary: backups that restore with identical data,
//! restores that refuse to overwrite, damaged dumps refused, and `stoa check`.

use app::testing::TestDatabase;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::path::Path;
use std::process::{Command, Output};
use stoa_server::backup::{manifest_path, read_manifest, summarise};

fn stoa(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stoa"))
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub(crate) async fn drop_database(options: &PgConnectOptions, name: &str) {
    let mut admin = PgConnection::connect_with(&options.clone().database("postgres"))
        .await
        .unwrap();
    admin
        .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
        .await
        .unwrap();
}

/// A store with a demo catalog, a customer who ordered, and staff.
pub(crate) async fn busy_store() -> TestDatabase {
    let db = TestDatabase::new().await;
    stoa_server::cli::seed::seed_demo_catalog(&db.pool, 30)
        .await
        .unwrap();
    let email = app::kernel::email::EmailAddress::parse("owner@shop.example").unwrap();
    app::accounts::repo::create_staff(
        &db.pool,
        &email,
        "Owner",
        app::accounts::model::Role::Owner,
        "owner password 12",
    )
    .await
    .unwrap();
    let cart = app::cart::repo::create_cart(&db.pool).await.unwrap();
    let variant: i64 =
        sqlx::query_scalar("SELECT id FROM product_variants WHERE stock > 2 ORDER BY id LIMIT 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    app::cart::repo::add_to_cart(
        &db.pool,
        cart,
        variant,
        app::cart::model::Quantity::parse(2).unwrap(),
    )
    .await
    .unwrap();
    app::orders::place::place_order(
        &db.pool,
        &app::testing::fixtures::manual_order_request(cart, "ada@example.com"),
    )
    .await
    .unwrap();
    db
}

#[tokio::test]
async fn a_backup_restores_after_the_database_is_dropped_with_identical_rows_and_checksums() {
    let db = busy_store().await;
    let before = summarise(&db.pool).await.unwrap();
    assert!(before["orders"].rows == 1 && before["products"].rows == 30);
    let dir = tempdir();
    let dump = dir.join("store.dump");
    let url = db.url();

    let backed_up = stoa(&url, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    let manifest = read_manifest(&dump).await.unwrap();
    assert_eq!(manifest.tables, before, "the manifest records every table");
    assert_eq!(
        manifest.schema_version,
        Some(app::kernel::db::latest_known_migration())
    );
    assert_eq!(manifest.dump_sha256.len(), 64);

    // The store's database is gone.
    let (options, name) = (db.options.clone(), db.name.clone());
    db.drop_database().await;

    let restored = stoa(&url, &["restore", dump.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    let pool = app::kernel::db::connect(options.clone(), 2).await.unwrap();
    assert_eq!(
        summarise(&pool).await.unwrap(),
        before,
        "every table has the same rows and checksum"
    );
    let order_email: String = sqlx::query_scalar("SELECT email FROM orders")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(order_email, "ada@example.com");
    pool.close().await;

    // Restoring again into the now non-empty database is refused, and changes nothing.
    let refused = stoa(&url, &["restore", dump.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("not empty"), "{}", text(&refused));
    let forced = stoa(&url, &["restore", "--force", dump.to_str().unwrap()]);
    assert!(forced.status.success(), "{}", text(&forced));

    drop_database(&options, &name).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_backup_taken_while_the_store_keeps_writing_is_one_point_in_time_and_verifies() {
    let db = busy_store().await;
    let dir = tempdir();
    let dump = dir.join("busy.dump");
    let url = db.url();
    // Writes keep arriving during the whole backup (each its own transaction).
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (pool, writing) = (db.pool.clone(), writing.clone());
        tokio::spawn(async move {
            let mut written = 0_i64;
            while writing.load(std::sync::atomic::Ordering::Relaxed) {
                sqlx::query(
                    "INSERT INTO failed_attempts (scope, key) VALUES ('backup_test', 'busy')",
                )
                .execute(&pool)
                .await
                .unwrap();
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let backed_up = {
        let (url, dump) = (url.clone(), dump.clone());
        tokio::task::spawn_blocking(move || {
            stoa(&url, &["backup", "--out", dump.to_str().unwrap()])
        })
        .await
        .unwrap()
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    let in_manifest = read_manifest(&dump).await.unwrap().tables["failed_attempts"].rows;
    assert!(
        in_manifest > 0 && in_manifest < written,
        "the backup is a moment in the middle of the writes: {in_manifest} of {written} rows"
    );

    // Restoring it verifies every table against the manifest: they were read together.
    let (options, name) = (db.options.clone(), db.name.clone());
    db.drop_database().await;
    let restored = stoa(&url, &["restore", dump.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    drop_database(&options, &name).await;
    std::fs::remove_dir_all(&dir).ok();
}

fn stoa_with_media(database_url: &str, media: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stoa"))
        .env("DATABASE_URL", database_url)
        .env("STOA_MEDIA_DIR", media)
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn product_images_are_backed_up_and_come_back_with_the_restore() {
    let db = busy_store().await;
    let dir = tempdir();
    let (media, dump) = (dir.join("media"), dir.join("store.dump"));
    let image = media.join("uploads").join("ab").join("ab12.webp");
    std::fs::create_dir_all(image.parent().unwrap()).unwrap();
    std::fs::write(&image, crate::support::png_of(3, 2)).unwrap();
    std::fs::write(media.join("uploads").join("cd34.webp"), b"second image").unwrap();
    let url = db.url();

    let backed_up = stoa_with_media(&url, &media, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    assert!(
        text(&backed_up).contains("backed up 2 image files"),
        "{}",
        text(&backed_up)
    );
    let manifest = read_manifest(&dump).await.unwrap();
    assert_eq!(manifest.media.as_ref().map(|m| m.files), Some(2));

    // A damaged archive is refused before the database is touched.
    let archive = stoa_server::backup::media_archive_path(&dump);
    let good = std::fs::read(&archive).unwrap();
    let mut damaged = good.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    std::fs::write(&archive, &damaged).unwrap();
    let (options, name) = (db.options.clone(), db.name.clone());
    db.drop_database().await;
    std::fs::remove_dir_all(&media).unwrap();
    let refused = stoa_with_media(&url, &media, &["restore", dump.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("media.tar does not match"),
        "{}",
        text(&refused)
    );
    assert!(!media.exists());

    // The machine and its disk are gone; the backup restores the records and the images.
    std::fs::write(&archive, &good).unwrap();
    let restored = stoa_with_media(&url, &media, &["restore", dump.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    assert_eq!(std::fs::read(&image).unwrap(), crate::support::png_of(3, 2));
    assert_eq!(
        std::fs::read(media.join("uploads").join("cd34.webp")).unwrap(),
        b"second image"
    );
    drop_database(&options, &name).await;
    std::fs::remove_dir_all(&dir).ok();
}

async fn verify_databases_left(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'stoa_verify_%'")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn backup_verify_restores_into_a_scratch_database_and_reports_without_touching_the_store() {
    let db = busy_store().await;
    let dir = tempdir();
    let (media, dump) = (dir.join("media"), dir.join("store.dump"));
    std::fs::create_dir_all(media.join("uploads")).unwrap();
    std::fs::write(media.join("uploads").join("ab12.webp"), b"image").unwrap();
    let url = db.url();
    let backed_up = stoa_with_media(&url, &media, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    let before = summarise(&db.pool).await.unwrap();

    let verified = stoa_with_media(&url, &media, &["backup", "verify", dump.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified).contains("verifies"), "{}", text(&verified));
    assert!(
        text(&verified).contains("1 images match"),
        "{}",
        text(&verified)
    );
    assert_eq!(
        summarise(&db.pool).await.unwrap(),
        before,
        "the store is untouched"
    );
    assert_eq!(verify_databases_left(&db.pool).await, 0);

    // A manifest that no longer matches its dump (here: one table's row count) fails.
    let manifest_file = manifest_path(&dump);
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_file).unwrap()).unwrap();
    manifest["tables"]["orders"]["rows"] = serde_json::json!(2);
    std::fs::write(&manifest_file, manifest.to_string()).unwrap();
    let failed = stoa_with_media(&url, &media, &["backup", "verify", dump.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(
        text(&failed).contains("does not verify"),
        "{}",
        text(&failed)
    );
    assert!(text(&failed).contains("orders"), "{}", text(&failed));
    assert_eq!(
        verify_databases_left(&db.pool).await,
        0,
        "the scratch database is gone"
    );

    let neither = stoa(&url, &["backup"]);
    assert!(!neither.status.success());
    assert!(text(&neither).contains("--out FILE"), "{}", text(&neither));
    db.drop_database().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_damaged_or_unmanifested_dump_is_refused_before_anything_is_written() {
    let db = busy_store().await;
    let dir = tempdir();
    let dump = dir.join("store.dump");
    let url = db.url();
    assert!(stoa(&url, &["backup", "--out", dump.to_str().unwrap()])
        .status
        .success());
    let again = stoa(&url, &["backup", "--out", dump.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    let target = format!("{}_restore", db.name);
    let target_url = db.url_of_database(&target);
    let mut bytes = std::fs::read(&dump).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = dir.join("damaged.dump");
    std::fs::write(&damaged, &bytes).unwrap();
    std::fs::copy(manifest_path(&dump), manifest_path(&damaged)).unwrap();
    let refused = stoa(&target_url, &["restore", damaged.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("does not match its manifest"),
        "{}",
        text(&refused)
    );

    std::fs::remove_file(manifest_path(&dump)).unwrap();
    let no_manifest = stoa(&target_url, &["restore", dump.to_str().unwrap()]);
    assert!(!no_manifest.status.success());
    assert!(
        text(&no_manifest).contains("manifest"),
        "{}",
        text(&no_manifest)
    );

    let pool = app::kernel::db::connect(db.options.clone().database(&target), 2)
        .await
        .unwrap();
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(tables, 0, "nothing was restored");
    pool.close().await;
    drop_database(&db.options, &target).await;
    db.drop_database().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn migrate_check_names_pending_statements_that_the_running_version_may_not_survive() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let current = stoa(&url, &["migrate", "--check"]);
    assert!(current.status.success(), "{}", text(&current));
    assert!(
        text(&current).contains("no pending migrations"),
        "{}",
        text(&current)
    );

    // As if the migrations from saved cards on (which adds a constraint to a table the
    // running version writes) were still to come; nothing is applied by --check.
    let newest: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE version >= 20261130000003")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ANY($1)")
        .bind(&newest)
        .execute(&db.pool)
        .await
        .unwrap();
    let pending = stoa(&url, &["migrate", "--check"]);
    assert_eq!(pending.status.code(), Some(1), "{}", text(&pending));
    let report = text(&pending);
    assert!(
        report.contains("CONTRACTS") && report.contains("ADD CONSTRAINT"),
        "{report}"
    );
    assert!(
        report.contains("stop the previous version first"),
        "{report}"
    );
    let still_pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE version = ANY($1)")
            .bind(&newest)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(still_pending, 0, "--check applies nothing");
    db.drop_database().await;
}

#[tokio::test]
async fn check_names_the_version_and_how_old_the_advisory_data_of_the_last_audit_was() {
    let db = TestDatabase::new().await;
    let dir = tempdir();
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/stoa.wasm"), b"\0asm").unwrap();
    let run = || {
        let output = Command::new(env!("CARGO_BIN_EXE_stoa"))
            .env("DATABASE_URL", db.url())
            .env("STOA_SITE_ROOT", &site)
            .arg("check")
            .output()
            .unwrap();
        text(&output)
    };
    let version = format!("stoa {}", env!("CARGO_PKG_VERSION"));

    let unaudited = run();
    assert!(unaudited.contains("warning  dependencies"), "{unaudited}");
    assert!(
        unaudited.contains(&version) && unaudited.contains("run scripts/audit"),
        "{unaudited}"
    );

    let record = stoa_server::cli::check::audit_record_path(&site);
    let today = chrono::Utc::now().date_naive();
    let audited_on = |date: chrono::NaiveDate| {
        std::fs::write(
            &record,
            format!(
                r#"{{"checked_at":"{today}T06:00:00Z","advisory_data_date":"{date}","accepted":0}}"#
            ),
        )
        .unwrap();
        run()
    };
    let fresh = audited_on(today - chrono::Duration::days(3));
    assert!(fresh.contains("ok       dependencies"), "{fresh}");
    assert!(fresh.contains("(3 days old)"), "{fresh}");
    let stale = audited_on(today - chrono::Duration::days(101));
    assert!(stale.contains("warning  dependencies"), "{stale}");
    assert!(
        stale.contains("101 days old") && stale.contains("update the advisory data"),
        "{stale}"
    );
    assert!(
        stale.contains("ready to serve"),
        "a warning does not stop the store: {stale}"
    );
    db.drop_database().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn check_reports_each_problem_with_what_to_do_and_fails_only_on_problems() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let site = tempdir();
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let run = |site_root: &Path, database_url: &str| {
        Command::new(env!("CARGO_BIN_EXE_stoa"))
            .env("DATABASE_URL", database_url)
            .env("STOA_SITE_ROOT", site_root)
            .arg("check")
            .output()
            .unwrap()
    };

    let without_assets = run(&site, &url);
    assert!(!without_assets.status.success());
    let report = text(&without_assets);
    assert!(
        report.contains("PROBLEM  assets") && report.contains("cargo leptos build"),
        "{report}"
    );
    assert!(
        report.contains("warning  staff") && report.contains("create-staff"),
        "{report}"
    );
    assert!(report.contains("ok       schema"), "{report}");

    std::fs::write(site.join("pkg/stoa.wasm"), b"\0asm").unwrap();
    let ready = run(&site, &url);
    assert!(ready.status.success(), "{}", text(&ready));
    assert!(text(&ready).contains("ready to serve"));

    assert!(
        text(&ready).contains("ok       payments      demo card gateway"),
        "{}",
        text(&ready)
    );
    let with_stripe = Command::new(env!("CARGO_BIN_EXE_stoa"))
        .env("DATABASE_URL", &url)
        .env("STOA_SITE_ROOT", &site)
        .env("STOA_STRIPE_SECRET_KEY", "sk_test_secretvalue123")
        .env("STOA_STRIPE_PUBLISHABLE_KEY", "pk_test_publicvalue123")
        .env("STOA_STRIPE_WEBHOOK_SECRET", "whsec_secretvalue123")
        .arg("check")
        .output()
        .unwrap();
    let report = text(&with_stripe);
    assert!(
        report.contains("cards through Stripe (test keys"),
        "{report}"
    );
    assert!(report.contains("/webhooks/stripe"), "{report}");
    assert!(
        !report.contains("secretvalue"),
        "secrets are never printed: {report}"
    );

    let unreachable = run(&site, "postgres://postgres@127.0.0.1:1/stoa");
    assert!(!unreachable.status.success());
    assert!(
        text(&unreachable).contains("PROBLEM  database"),
        "{}",
        text(&unreachable)
    );
    db.drop_database().await;
    std::fs::remove_dir_all(&site).ok();
}

pub(crate) fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stoa-ops-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn anonymize_leaves_no_original_email_or_name_and_keeps_people_consistent() {
    let db = busy_store().await;
    let pool = &db.pool;
    let email = app::kernel::email::EmailAddress::parse("ada@example.com").unwrap();
    app::accounts::repo::register(
        pool,
        "Ada Lovelace",
        &email,
        "plum orchard lantern",
        "https://shop.example",
    )
    .await
    .unwrap();
    let account: i64 =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'ada@example.com'")
            .fetch_one(pool)
            .await
            .unwrap();
    sqlx::query("UPDATE accounts SET email_verified_at = now() WHERE id = $1")
        .bind(account)
        .execute(pool)
        .await
        .unwrap();
    let address = app::kernel::address::ShippingAddress {
        name: "Ada Lovelace".into(),
        line1: "12 Analytical Row".into(),
        line2: "Flat 3".into(),
        city: "London".into(),
        postal_code: "SW1A 1AA".into(),
        country: "GB".into(),
    };
    app::accounts::repo::add_address(pool, account, &address)
        .await
        .unwrap();
    app::webhooks::outbox::add_endpoint(
        pool,
        "https://erp.example/hooks",
        "a shared secret value",
        &["order.created".to_owned()],
    )
    .await
    .unwrap();
    let url = db.url();

    let refused = stoa(&url, &["anonymize"]);
    assert!(
        !refused.status.success(),
        "not without STOA_ENV=staging or --yes"
    );
    assert!(text(&refused).contains("staging"));

    let done = Command::new(env!("CARGO_BIN_EXE_stoa"))
        .env("DATABASE_URL", &url)
        .env("STOA_ENV", "staging")
        .env("STOA_PUBLIC_URL", "https://staging.shop.example")
        .arg("anonymize")
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", text(&done));

    let everything = app::testing::fixtures::personal_data_as_text(pool).await;
    for original in [
        "ada@example.com",
        "Lovelace",
        "Analytical",
        "London",
        "Flat 3",
        "SW1A",
    ] {
        assert!(
            !everything.contains(original),
            "{original} survived: {everything}"
        );
    }
    let (account_email, order_email): (String, String) = sqlx::query_as(
        "SELECT (SELECT email FROM accounts WHERE id = $1), (SELECT email FROM orders LIMIT 1)",
    )
    .bind(account)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(account_email, order_email, "one person, one pseudonym");
    assert!(account_email.ends_with("@staging.invalid"));
    let usable_passwords: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE password_hash <> '!'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(usable_passwords, 0, "no password works on the staging copy");
    let staff: String = sqlx::query_scalar("SELECT email FROM accounts WHERE role = 'owner'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(staff, "owner@shop.example", "staff keep their login names");
    let active_webhooks: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_endpoints WHERE is_active")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        active_webhooks, 0,
        "a staging copy never calls production's integrations"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn scheduled_backups_keep_only_the_newest_ones() {
    let db = busy_store().await;
    let url = db.url();
    let dir = tempdir().join("backups");
    let mut written = Vec::new();
    for _ in 0..3 {
        written.push(
            stoa_server::backup::scheduled_backup(
                &db.pool,
                &url,
                &dir,
                &dir.join("no-media"),
                2,
                None,
            )
            .await
            .unwrap(),
        );
    }
    let kept = stoa_server::backup::backups_in(&dir);
    assert_eq!(kept, written[1..].to_vec(), "the two newest remain");
    assert!(
        !manifest_path(&written[0]).exists(),
        "the oldest manifest went with its dump"
    );
    let age = stoa_server::backup::last_backup_age(&dir).unwrap();
    assert!(age.as_secs() < 60);
    let manifest = read_manifest(&written[2]).await.unwrap();
    assert_eq!(manifest.tables["orders"].rows, 1);
    db.drop_database().await;
    std::fs::remove_dir_all(dir.parent().unwrap()).ok();
}
