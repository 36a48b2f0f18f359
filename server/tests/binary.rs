//! The `stoa` binary as an operator runs it: configuration errors, serving, stopping.

use app::testing::TestDatabase;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stoa() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stoa"));
    command.env_remove("DATABASE_URL").env("RUST_LOG", "info");
    command
}

fn database_url(db: &TestDatabase) -> String {
    format!(
        "postgres://{}@{}:{}/{}",
        db.options.get_username(),
        db.options.get_host(),
        db.options.get_port(),
        db.name
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET, so the test needs no HTTP client crate.
fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn a_bad_variable_stops_stoa_with_a_message_naming_it() {
    let output = stoa()
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1/stoa")
        .env("STOA_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("STOA_ADDR"), "{stderr}");

    let missing = stoa().output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("DATABASE_URL"));
}

#[tokio::test]
async fn stoa_serves_and_stops_cleanly_on_sigterm() {
    let db = TestDatabase::new().await;
    let port = free_port();
    let mut child = stoa()
        .arg("serve")
        .env("DATABASE_URL", database_url(&db))
        .env("STOA_ADDR", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        match http_get(port, "/readyz") {
            Some(response) if response.starts_with("HTTP/1.1 200") => break true,
            _ if Instant::now() > deadline => break false,
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert!(ready, "stoa became ready");
    assert!(http_get(port, "/healthz").unwrap().ends_with("ok"));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "stoa exits 0 after SIGTERM, got {status}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("SIGTERM received"), "{logs}");
    assert!(
        http_get(port, "/healthz").is_none(),
        "nothing listens after shutdown"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn stoa_refuses_a_database_with_a_newer_schema() {
    let db = TestDatabase::new().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999999999999, 'from a newer release', true, '\\x00', 0)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let output = stoa()
        .arg("migrate")
        .env("DATABASE_URL", database_url(&db))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("newer than this build"), "{stderr}");
    db.drop_database().await;
}

#[tokio::test]
async fn create_staff_makes_an_owner_with_a_generated_or_piped_password() {
    let db = TestDatabase::new().await;
    let url = database_url(&db);
    let generated = stoa()
        .env("DATABASE_URL", &url)
        .args([
            "create-staff",
            "--email",
            "owner@shop.example",
            "--role",
            "owner",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&generated.stdout);
    assert!(
        generated.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let password = stdout
        .lines()
        .find_map(|line| line.split_once("): ").map(|(_, p)| p.trim().to_owned()))
        .expect("the generated password is printed once");
    let (hash, role): (String, String) = sqlx::query_as(
        "SELECT password_hash, role::text FROM accounts WHERE email = 'owner@shop.example'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(role, "owner");
    assert!(app::accounts::password::verify_password(&hash, &password));
    assert!(!hash.contains(&password));

    let piped = |email: &str, role: &str, password: &str| {
        let mut child = stoa()
            .env("DATABASE_URL", &url)
            .args([
                "create-staff",
                "--email",
                email,
                "--role",
                role,
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = piped("ana@shop.example", "staff", "too short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12"));
    let bad_role = piped("ana@shop.example", "root", "a long enough password");
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("Choose a role"));
    let ok = piped("ana@shop.example", "staff", "a long enough password");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&ok.stdout).contains("a long enough password"),
        "a piped password is never echoed"
    );
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE email = 'ana@shop.example'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(app::accounts::password::verify_password(
        &hash,
        "a long enough password"
    ));
    db.drop_database().await;
}

#[tokio::test]
async fn production_logs_are_json_lines_naming_the_request_id_the_response_carries() {
    let db = TestDatabase::new().await;
    let port = free_port();
    let mut child = stoa()
        .arg("serve")
        .env("DATABASE_URL", database_url(&db))
        .env("STOA_ADDR", format!("127.0.0.1:{port}"))
        .env("STOA_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(port, "/readyz").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(Instant::now() < deadline, "stoa became ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A cross-site POST is refused with a warning logged inside the request.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /api/cart/add HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 403"), "{response}");
    let request_id = response
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("the response names its request id")
        .trim()
        .to_owned();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let refusal = logs
        .lines()
        .find(|line| line.contains("cross-site request refused"))
        .unwrap_or_else(|| panic!("the refusal is logged: {logs}"));
    let entry: serde_json::Value = serde_json::from_str(refusal).expect("a JSON line");
    assert_eq!(entry["level"], "WARN");
    assert_eq!(
        entry["span"]["request_id"],
        request_id.as_str(),
        "{refusal}"
    );
    assert_eq!(entry["span"]["path"], "/api/cart/add");
    db.drop_database().await;
}
