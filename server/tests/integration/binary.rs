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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET, so the test needs no HTTP client crate.
pub(crate) fn http_get(port: u16, path: &str) -> Option<String> {
    http_get_within(port, path, Duration::from_secs(5))
}

/// A server function call as a script makes it: a form body, JSON wanted back.
fn http_post_json(port: u16, path: &str, form: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

fn http_get_within(port: u16, path: &str, patience: Duration) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(patience)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// `stoa serve` on a free port with these extra variables, once /readyz answers 200. Its
/// log is piped for the test to read when `keep_logs`, and discarded otherwise (an unread
/// pipe would fill up and stall the server).
/// Sends SIGTERM, waits for the exit, and returns the exit status and the piped log.
pub(crate) fn stop_and_read_log(
    mut child: std::process::Child,
) -> (std::process::ExitStatus, String) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut log = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut log).unwrap();
    }
    (status, log)
}

pub(crate) fn serve_until_ready(
    database_url: &str,
    extra: &[(&str, &str)],
    keep_logs: bool,
) -> (std::process::Child, u16) {
    let port = free_port();
    (serve_on(database_url, port, extra, keep_logs), port)
}

/// `stoa serve` on `port`, once /readyz answers 200 (as `serve_until_ready`).
fn serve_on(
    database_url: &str,
    port: u16,
    extra: &[(&str, &str)],
    keep_logs: bool,
) -> std::process::Child {
    let mut command = stoa();
    command
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("STOA_ADDR", format!("127.0.0.1:{port}"))
        .stderr(if keep_logs {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    for (name, value) in extra {
        command.env(name, value);
    }
    let child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !http_get(port, "/readyz").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(Instant::now() < deadline, "stoa became ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    child
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
    let (child, port) = serve_until_ready(&db.url(), &[], true);
    assert!(http_get(port, "/healthz").unwrap().ends_with("ok"));

    let (status, logs) = stop_and_read_log(child);
    assert!(status.success(), "stoa exits 0 after SIGTERM, got {status}");
    assert!(logs.contains("SIGTERM received"), "{logs}");
    assert!(
        http_get(port, "/healthz").is_none(),
        "nothing listens after shutdown"
    );
    db.drop_database().await;
}

/// Waits up to `seconds` for the process to exit by itself.
fn exits_within(child: &mut std::process::Child, seconds: u64) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Requests on new connections, one after another, until `stop`; returns (answered,
/// failed) with the first failures.
fn steady_requests(
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<(u32, Vec<String>)> {
    std::thread::spawn(move || {
        let (mut answered, mut failures) = (0, Vec::new());
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            match http_get(port, "/healthz") {
                Some(reply) if reply.starts_with("HTTP/1.1 200") => answered += 1,
                other => failures.push(format!("{other:?}")),
            }
        }
        (answered, failures)
    })
}

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut log = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut log).unwrap();
    }
    log
}

#[tokio::test]
async fn a_new_release_takes_the_listening_socket_and_the_old_one_stops_without_a_failed_request() {
    let db = TestDatabase::new().await;
    let control = std::env::temp_dir().join(format!("stoa-handover-{}.sock", free_port()));
    let control_text = control.to_str().unwrap().to_owned();
    let extra = [("STOA_HANDOVER_SOCKET", control_text.as_str())];
    let port = free_port();
    let mut old = serve_on(&db.url(), port, &extra, true);
    assert!(control.exists(), "the running server offers its socket");

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = steady_requests(port, stop.clone());
    std::thread::sleep(Duration::from_millis(300));
    let new = serve_on(&db.url(), port, &extra, true);
    let old_status = exits_within(&mut old, 30).expect("the old release stops by itself");
    assert!(old_status.success(), "{old_status}");
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (answered, failures) = load.join().unwrap();
    assert!(
        answered > 20,
        "requests ran through the release: {answered}"
    );
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert!(stderr_of(&mut old).contains("a new release is serving on this socket; stopping"));
    assert!(http_get(port, "/readyz")
        .unwrap()
        .starts_with("HTTP/1.1 200"));
    assert!(
        control.exists(),
        "the new release offers the socket to the next one"
    );

    let (status, logs) = stop_and_read_log(new);
    assert!(status.success());
    assert!(
        logs.contains("listening socket received from the running server"),
        "{logs}"
    );
    assert!(
        !control.exists(),
        "a server that stops removes its control socket"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn a_new_release_that_fails_before_it_is_ready_leaves_the_old_one_serving() {
    use sendfd::RecvWithFd;
    let db = TestDatabase::new().await;
    let control = std::env::temp_dir().join(format!("stoa-handover-{}.sock", free_port()));
    let control_text = control.to_str().unwrap().to_owned();
    let extra = [("STOA_HANDOVER_SOCKET", control_text.as_str())];
    let port = free_port();
    let mut old = serve_on(&db.url(), port, &extra, false);

    // A successor takes the socket, then dies before saying it is ready.
    {
        let mut stream = std::os::unix::net::UnixStream::connect(&control).unwrap();
        stream.write_all(b"listener\n").unwrap();
        let (mut bytes, mut fds) = ([0u8; 16], [-1; 1]);
        let (_, received) = stream.recv_with_fd(&mut bytes, &mut fds).unwrap();
        assert_eq!(received, 1, "the socket came with the answer");
        // SAFETY: the descriptor was just received and is owned by nothing else.
        drop(unsafe { <std::net::TcpListener as std::os::fd::FromRawFd>::from_raw_fd(fds[0]) });
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        old.try_wait().unwrap().is_none(),
        "the old release still runs"
    );
    assert!(http_get(port, "/readyz")
        .unwrap()
        .starts_with("HTTP/1.1 200"));

    // A real successor still can take over afterwards.
    let new = serve_on(&db.url(), port, &extra, true);
    assert!(exits_within(&mut old, 30).is_some_and(|s| s.success()));
    let (status, log) = stop_and_read_log(new);
    assert!(status.success(), "{status}: {log}");
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
        .env("DATABASE_URL", db.url())
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
    let url = db.url();
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
    let (child, port) = serve_until_ready(&db.url(), &[("STOA_LOG_FORMAT", "json")], true);
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

    let (_, logs) = stop_and_read_log(child);
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

/// A throwaway PostgreSQL cluster of our own, so the test can stop and start it.
struct LocalCluster {
    dir: std::path::PathBuf,
    bin: std::path::PathBuf,
    port: u16,
}

impl LocalCluster {
    fn pg(&self, tool: &str, args: &[&str]) -> std::process::ExitStatus {
        let tool = self.bin.join(tool);
        // initdb and pg_ctl refuse to run as root: run them as the postgres user then.
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
        let mut command = if as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&tool);
            c
        } else {
            Command::new(&tool)
        };
        command
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
    }

    fn create() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect(
                "PostgreSQL server binaries in /usr/lib/postgresql (scripts/test installs them)",
            )
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("initdb");
        let dir = std::env::temp_dir().join(format!(
            "stoa-cluster-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Command::new("chmod")
            .args(["777", dir.to_str().unwrap()])
            .status()
            .unwrap();
        let cluster = Self {
            dir,
            bin,
            port: free_port(),
        };
        let data = cluster.dir.join("data");
        assert!(cluster
            .pg(
                "initdb",
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8"
                ]
            )
            .success());
        cluster.start();
        cluster
    }

    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        let data = self.dir.join("data");
        assert!(self
            .pg(
                "pg_ctl",
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-l",
                    log.to_str().unwrap(),
                    "-w",
                    "-o",
                    &options,
                    "start"
                ]
            )
            .success());
    }

    fn stop(&self) {
        let data = self.dir.join("data");
        assert!(self
            .pg(
                "pg_ctl",
                &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"]
            )
            .success());
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        self.pg(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

fn wait_for(port: u16, path: &str, status: &str, seconds: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if http_get(port, path).is_some_and(|r| r.starts_with(status)) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn readiness_fails_while_postgresql_is_stopped_and_recovers_by_itself() {
    let cluster = LocalCluster::create();
    let url = format!("postgres://postgres@127.0.0.1:{}/stoa", cluster.port);
    let (mut child, port) = serve_until_ready(&url, &[], false);

    cluster.stop();
    assert!(
        wait_for(port, "/readyz", "HTTP/1.1 503", 15),
        "unready while PostgreSQL is stopped"
    );
    assert!(
        http_get(port, "/healthz").unwrap().ends_with("ok"),
        "the process keeps serving"
    );
    // Pages and server functions are refused at once with 503 and Retry-After: a page
    // for a browser, the app's error for a script, and no payment is asked for.
    let started = Instant::now();
    let page = http_get_within(port, "/", Duration::from_secs(5)).expect("an answer");
    let page_took = started.elapsed();
    assert!(page.starts_with("HTTP/1.1 503"), "{page}");
    assert!(page.to_lowercase().contains("retry-after: 30"), "{page}");
    assert!(page.contains("Nothing was ordered or charged"), "{page}");
    assert!(
        page_took < Duration::from_secs(1),
        "the page took {page_took:?}"
    );
    let started = Instant::now();
    let checkout = http_post_json(port, "/api/checkout/place-order", "form[idempotency_key]=x")
        .expect("an answer");
    let checkout_took = started.elapsed();
    assert!(checkout.starts_with("HTTP/1.1 503"), "{checkout}");
    assert!(checkout.contains("\"Unavailable\""), "{checkout}");
    assert!(
        checkout_took < Duration::from_secs(1),
        "the checkout took {checkout_took:?}"
    );
    assert!(child.try_wait().unwrap().is_none(), "no crash");

    cluster.start();
    assert!(
        wait_for(port, "/readyz", "HTTP/1.1 200", 30),
        "ready again once PostgreSQL is back"
    );
    assert!(wait_for(port, "/", "HTTP/1.1 200", 10), "pages work again");

    assert!(stop_and_read_log(child).0.success());
}
