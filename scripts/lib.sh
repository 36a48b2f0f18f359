# Shared by scripts/run, scripts/test and scripts/bench: install what is missing (from the
# package registries only) and find or start PostgreSQL. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
NEXTEST_VERSION="0.9.143"
# Must equal the wasm-bindgen version pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
LOCAL_PG_PORT="${STOA_LOCAL_PG_PORT:-54329}"
LOCAL_PG_DIR="$ROOT/.data/postgres"

# scripts/bin first: its wasm-opt keeps split release builds working (see the file).
export PATH="$ROOT/scripts/bin:$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* yourself"
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found: install the Rust toolchain (rustup) first"
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add rustfmt clippy
  fi
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes about 11 minutes on 2 cores, once)"
    cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

CARGO_AUDIT_VERSION="0.22.2"
CARGO_DENY_VERSION="0.20.2"

ensure_cargo_audit() {
  if ! cargo audit --version 2>/dev/null | grep -q "$CARGO_AUDIT_VERSION"; then
    log "installing cargo-audit $CARGO_AUDIT_VERSION (a few minutes on 2 cores, once)"
    cargo install cargo-audit --version "$CARGO_AUDIT_VERSION" --locked
  fi
}

ensure_cargo_deny() {
  if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
    log "installing cargo-deny $CARGO_DENY_VERSION (a few minutes on 2 cores, once)"
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
  fi
}

ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    log "installing cargo-nextest $NEXTEST_VERSION (a few minutes on 2 cores, once)"
    cargo install cargo-nextest@"$NEXTEST_VERSION" --locked
  fi
}

ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required (Node.js 20 or newer)"
}

# npm install in a folder when its lock or package.json changed since the last install.
npm_install_in() {
  local dir="$1" stamp="$1/node_modules/.stoa-installed"
  if [ ! -f "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ] || { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$stamp" ]; }; then
    log "npm install in ${dir#"$ROOT"/}"
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
    touch "$stamp"
  fi
}

# wasm-opt for cargo-leptos release builds, from Debian's binaryen package: a native
# binary, which a split build runs once per WASM chunk (hundreds of files; the npm build
# of binaryen took over a second each).
ensure_wasm_opt() {
  if [ ! -x /usr/bin/wasm-opt ]; then
    apt_install binaryen
  fi
}

# A test server from PyPI in a project-local virtualenv, .tools/NAME.
ensure_pypi_tool() {
  local name="$1" version="$2" requirement="$3" what="$4" venv="$ROOT/.tools/$1"
  # grep reads all of it: with -q it would stop early, and pipefail would count the
  # broken pipe as "not installed".
  if ! "$venv/bin/pip" show "$name" 2>/dev/null | grep "^Version: $version$" >/dev/null; then
    log "installing $name $version ($what) into .tools/$name"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$requirement==$version"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# localstripe, a stateful Stripe test server.
LOCALSTRIPE_VERSION="1.15.10"
ensure_localstripe() {
  ensure_pypi_tool localstripe "$LOCALSTRIPE_VERSION" localstripe "the Stripe test server"
}

# Starts localstripe on a free loopback port, empty, and exports STOA_TEST_STRIPE_URL for
# the tests. The caller stops it: kill "$LOCALSTRIPE_PID".
start_localstripe() {
  local log_file="$1" port
  ensure_localstripe
  port=$(free_port)
  "$ROOT/.tools/localstripe/bin/localstripe" --port "$port" --from-scratch >"$log_file" 2>&1 &
  LOCALSTRIPE_PID=$!
  export STOA_TEST_STRIPE_URL="http://127.0.0.1:$port"
  wait_for_url "$STOA_TEST_STRIPE_URL/js.stripe.com/v3/" 60 || { cat "$log_file"; die "localstripe did not start"; }
  log "Stripe test server (localstripe): $STOA_TEST_STRIPE_URL"
}

# moto in server mode, an S3-compatible test server, for off-site backups.
MOTO_VERSION="5.2.5"

# Starts moto on a free loopback port, empty, and exports STOA_TEST_S3_URL for the tests.
# The caller stops it: kill "$MOTO_PID".
start_moto() {
  local log_file="$1" port
  ensure_pypi_tool moto "$MOTO_VERSION" "moto[server]" "the S3-compatible test server"
  port=$(free_port)
  "$ROOT/.tools/moto/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log_file" 2>&1 &
  MOTO_PID=$!
  export STOA_TEST_S3_URL="http://127.0.0.1:$port"
  wait_for_url "$STOA_TEST_S3_URL/moto-api/" 60 || { cat "$log_file"; die "moto did not start"; }
  log "S3-compatible test server (moto): $STOA_TEST_S3_URL"
}

ensure_build_tools() {
  ensure_rust
  ensure_cargo_leptos
  ensure_wasm_opt
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
}

# pg_dump and pg_restore, for `stoa backup` and `stoa restore` and their tests, and initdb
# and pg_ctl, for the test that stops and restarts a cluster of its own.
ensure_pg_tools() {
  if ! command -v pg_dump >/dev/null && [ ! -x "$(pg_bin_dir)/pg_dump" ]; then
    apt_install postgresql-client
  fi
  if [ ! -x "$(pg_bin_dir)/initdb" ]; then
    apt_install postgresql
  fi
}

# Warns, with the numbers, when the disk holding the project has less free space than a
# full build and test run uses (about 4 GB from a cold target/, see docs/performance.md),
# so a failure for lack of space is recognised at once.
check_free_disk() {
  local needed_gb="${1:-12}" free_kb
  free_kb=$(df -Pk "$ROOT" | awk 'NR == 2 {print $4}')
  if [ -n "$free_kb" ] && [ "$free_kb" -lt $((needed_gb * 1024 * 1024)) ]; then
    log "warning: only $((free_kb / 1024 / 1024)) GB free on the disk holding $ROOT; a cold build and test run needs about ${needed_gb} GB"
    df -h "$ROOT" >&2
  fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

# Runs a PostgreSQL server tool as the `postgres` user when we are root (initdb refuses root).
pg_tool() {
  local tool="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$(pg_bin_dir)/$tool" "$@"
  else
    "$(pg_bin_dir)/$tool" "$@"
  fi
}

start_local_cluster() {
  if [ -z "$(pg_bin_dir)" ]; then
    apt_install postgresql
  fi
  [ -n "$(pg_bin_dir)" ] || die "PostgreSQL binaries not found after installing postgresql"
  mkdir -p "$LOCAL_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$LOCAL_PG_DIR"; fi
  if [ ! -f "$LOCAL_PG_DIR/PG_VERSION" ]; then
    log "creating a project-local PostgreSQL cluster in .data/postgres"
    pg_tool initdb -D "$LOCAL_PG_DIR" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! port_open 127.0.0.1 "$LOCAL_PG_PORT"; then
    log "starting the project-local PostgreSQL on 127.0.0.1:$LOCAL_PG_PORT"
    pg_tool pg_ctl -D "$LOCAL_PG_DIR" -l "$LOCAL_PG_DIR/server.log" -w \
      -o "-p $LOCAL_PG_PORT -c listen_addresses=127.0.0.1 -k $LOCAL_PG_DIR" start >/dev/null
  fi
}

# Finds or starts PostgreSQL and sets PG_SERVER_URL to its `postgres` database:
# the server of DATABASE_URL when set, else 127.0.0.1:5432 when it answers, else a
# project-local cluster (started, and installed from Debian, as needed).
ensure_database_server() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "database server: the one in DATABASE_URL"
    PG_SERVER_URL="$(database_url_for "$DATABASE_URL" postgres)"
  elif port_open 127.0.0.1 5432; then
    log "database server: PostgreSQL already running on 127.0.0.1:5432"
    PG_SERVER_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    start_local_cluster
    log "database server: project-local cluster on 127.0.0.1:$LOCAL_PG_PORT (data in .data/postgres)"
    PG_SERVER_URL="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/postgres"
  fi
  export PG_SERVER_URL
}

# The URL $1 with its database name replaced by $2 (query parameters kept).
database_url_for() {
  local url="$1" name="$2" query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  printf '%s/%s%s' "${url%/*}" "$name" "$query"
}

# For the store itself: DATABASE_URL as given, or database $1 on the server found above.
ensure_store_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "database: DATABASE_URL from the environment"
  else
    ensure_database_server
    export DATABASE_URL="$(database_url_for "$PG_SERVER_URL" "$1")"
    log "database: $1 on that server"
  fi
}

# For tests and benchmarks: always their own database $1, never the store's.
use_scratch_database() {
  ensure_database_server
  export DATABASE_URL="$(database_url_for "$PG_SERVER_URL" "$1")"
  log "database: scratch database $1 (dropped and recreated by the run)"
}

# Waits until $1 answers 200, or fails after $2 seconds.
wait_for_url() {
  local url="$1" seconds="${2:-60}" i
  for ((i = 0; i < seconds * 4; i++)); do
    if node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.25
  done
  return 1
}

# The site the browser tests run against: the debug server the Rust tests already built
# (nothing is compiled twice) and the WASM as shoppers get it: release, split into
# lazily loaded chunks, precompressed. The browser tests and the weight check then see
# the real bundle. cargo-leptos writes hash.txt (the hashed asset names) beside the
# release binary; the debug server reads it beside itself.
build_test_site() {
  (cd "$ROOT" && cargo leptos build --server-only) &&
    (cd "$ROOT" && cargo leptos build --release --split --frontend-only) &&
    cp "$ROOT/target/release/hash.txt" "$ROOT/target/debug/hash.txt" &&
    node "$ROOT/scripts/strip-wasm-names.mjs" "$ROOT/target/site/pkg" &&
    node "$ROOT/scripts/precompress.mjs" "$ROOT/target/site/pkg"
}

# Starts the release server (build_release first) on a fresh scratch database $1 with the
# demo catalog, on 127.0.0.1:$2, logging to target/$1-server.log, and stops it when the
# calling script exits. Sets STORE_URL. For the weight and Lighthouse checks.
serve_demo_release() {
  local name="$1" port="$2" log="$ROOT/target/$1-server.log" stoa="$ROOT/target/release/stoa"
  use_scratch_database "$name"
  DATABASE_URL="$DATABASE_URL" node "$ROOT/end2end/reset-database.mjs"
  export STOA_ADDR="127.0.0.1:$port" STOA_SITE_ROOT="$ROOT/target/site" RUST_LOG="${RUST_LOG:-warn}"
  "$stoa" migrate >/dev/null
  "$stoa" seed --demo >/dev/null
  "$stoa" serve > "$log" 2>&1 &
  DEMO_SERVER_PID=$!
  trap 'kill -TERM $DEMO_SERVER_PID 2>/dev/null; wait $DEMO_SERVER_PID 2>/dev/null' EXIT
  STORE_URL="http://$STOA_ADDR"
  wait_for_url "$STORE_URL/readyz" 60 || { cat "$log"; die "server did not become ready"; }
}

# Builds the release binary and the WASM split into lazily loaded chunks, and precompresses
# the hashed assets.
build_release() {
  log "building the release binary and WASM chunks (cargo leptos build --release --split)"
  (cd "$ROOT" && cargo leptos build --release --split)
  node "$ROOT/scripts/strip-wasm-names.mjs" "$ROOT/target/site/pkg"
  node "$ROOT/scripts/precompress.mjs" "$ROOT/target/site/pkg"
}
