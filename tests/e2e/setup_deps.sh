#!/usr/bin/env bash
# Prepare real local dependencies for the airflow-constructs end-to-end harness:
#   * an Airflow 3.3.2 virtualenv (postgres, celery and statsd extras, FAB and cncf.kubernetes providers)
#   * Debian PostgreSQL 15 and Redis, run as an unprivileged user on loopback only
#   * Debian PgBouncer (the harness runs it for the PgBouncer images)
#   * Keycloak (Maven Central's keycloak-quarkus-dist zip, checked against its .sha1; runs on Java 17),
#     Debian's chromium and npm's playwright-core for the Keycloak sign-in case (test_keycloak_e2e.py)
#
# Idempotent: every step is skipped when its result already exists. Everything is
# cached under <repo>/.cache/e2e/ (git-ignored). Must run as root on Debian/Ubuntu
# (apt-get, useradd); the daemons themselves run as the unprivileged user $E2E_USER.
#
# Usage:
#   tests/e2e/setup_deps.sh [install]   # apt packages, user, venv, initdb (default)
#   tests/e2e/setup_deps.sh start       # install if needed, then start postgres + redis
#   tests/e2e/setup_deps.sh stop        # stop postgres + redis started by this script
#   tests/e2e/setup_deps.sh status      # print what is installed / running
#   tests/e2e/setup_deps.sh env         # print shell exports describing the deps
#
# Tunables (environment): E2E_CACHE_DIR, E2E_USER, E2E_PG_PORT, E2E_REDIS_PORT,
# E2E_AIRFLOW_VERSION, E2E_PYTHON, E2E_UPGRADE_FROM.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

E2E_CACHE_DIR="${E2E_CACHE_DIR:-$REPO_ROOT/.cache/e2e}"
E2E_USER="${E2E_USER:-airflow-e2e}"
E2E_PG_PORT="${E2E_PG_PORT:-15432}"
E2E_REDIS_PORT="${E2E_REDIS_PORT:-16379}"
E2E_AIRFLOW_VERSION="${E2E_AIRFLOW_VERSION:-3.3.2}"
# The venv interpreter must be readable by $E2E_USER: a pyenv python under /root
# (mode 0700) gives "bad interpreter: Permission denied", so use Debian's python3.
E2E_PYTHON="${E2E_PYTHON:-/usr/bin/python3}"

VENV="$E2E_CACHE_DIR/airflow-venv"
# The versions the upgrade tests (test_upgrade_e2e.py) start from, each in its own venv
# $E2E_CACHE_DIR/airflow-venv-<version> next to the main one: the patch release before the
# default one (minor upgrade) and the airflow2 app's 2.11 (major upgrade).
E2E_UPGRADE_FROM="${E2E_UPGRADE_FROM:-3.3.1 2.11.0}"
PG_DIR="$E2E_CACHE_DIR/pg"
PG_DATA="$PG_DIR/data"
REDIS_DIR="$E2E_CACHE_DIR/redis"
HOME_DIR="$E2E_CACHE_DIR/home"
HARNESS_DIR="$E2E_CACHE_DIR/harness"
PG_DB=airflow
PG_USER_NAME=airflow
PG_PASSWORD=airflow

# celery 5.7 breaks apache-airflow-providers-celery: keep it pinned below.
PIP_REQUIREMENTS=(
  "apache-airflow[postgres,celery,statsd]==${E2E_AIRFLOW_VERSION}"
  "celery<5.7"
  "apache-airflow-providers-fab"
  # KubernetesExecutor (the kubernetes-executor app, tests/e2e/kubelet.py)
  "apache-airflow-providers-cncf-kubernetes"
  "apache-airflow-providers-keycloak==0.11.2"
)
E2E_KEYCLOAK_VERSION="${E2E_KEYCLOAK_VERSION:-26.4.7}"
KEYCLOAK_DIR="$E2E_CACHE_DIR/keycloak-$E2E_KEYCLOAK_VERSION"
BROWSER_DIR="$E2E_CACHE_DIR/browser"
PLAYWRIGHT_VERSION=1.65.1
VENV_STAMP="$VENV/.e2e-requirements"

log() { printf '[setup_deps] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_user() { runuser -u "$E2E_USER" -- "$@"; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (needs apt-get, useradd, runuser)"
}

install_apt() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
  pg_bin >/dev/null 2>&1 || missing+=(postgresql)
  [ -x "$E2E_PYTHON" ] || missing+=(python3)
  "$E2E_PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ "${#missing[@]}" -eq 0 ]; then
    log "apt packages present"
    return 0
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # postgresql's postinst creates a 'main' cluster on :5432 but (in containers with
  # policy-rc.d) does not start it; we never use it.
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # Where apt starts services (a systemd host), they would hold the ports the pods declare.
  systemctl disable --now pgbouncer.service pgbouncer.socket redis-server.service >/dev/null 2>&1 || true
}

ensure_user() {
  if ! id "$E2E_USER" >/dev/null 2>&1; then
    log "creating system user $E2E_USER"
    useradd --system --no-create-home --home-dir "$HOME_DIR" --shell /bin/bash "$E2E_USER"
  fi
  mkdir -p "$E2E_CACHE_DIR" "$PG_DIR" "$REDIS_DIR" "$HOME_DIR"
  chmod 755 "$E2E_CACHE_DIR"
  # The harness's lock and kept container output; owned by whoever ran `sudo make e2e`.
  install -d -m 0755 -o "${SUDO_UID:-0}" -g "${SUDO_GID:-0}" "$HARNESS_DIR"
  chown "$E2E_USER": "$PG_DIR" "$REDIS_DIR" "$HOME_DIR"
  chmod 700 "$PG_DIR"
  # Every parent of the cache must be traversable by the unprivileged user.
  local d="$E2E_CACHE_DIR"
  while [ "$d" != / ]; do
    if ! as_user test -x "$d"; then
      die "$d is not traversable by $E2E_USER; set E2E_CACHE_DIR elsewhere"
    fi
    d="$(dirname "$d")"
  done
}

install_venv() {
  local want
  want="$(printf '%s\n' "${PIP_REQUIREMENTS[@]}")"
  if [ -x "$VENV/bin/airflow" ] && [ -f "$VENV_STAMP" ] && [ "$(cat "$VENV_STAMP")" = "$want" ]; then
    log "venv present: $VENV"
    return 0
  fi
  if [ -e "$VENV/bin/python" ] && ! as_user "$VENV/bin/python" -c '' 2>/dev/null; then
    log "existing venv interpreter not usable by $E2E_USER; recreating"
    rm -rf "$VENV"
  fi
  [ -x "$VENV/bin/python" ] || "$E2E_PYTHON" -m venv "$VENV"
  log "pip install ${PIP_REQUIREMENTS[*]} (about 30 s with a warm cache)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "${PIP_REQUIREMENTS[@]}"
  "$VENV/bin/python" -m pip check >/dev/null || log "warning: pip check reports conflicts"
  printf '%s' "$want" >"$VENV_STAMP"
  chmod -R a+rX "$VENV"
}

# One venv per upgrade-from version; the same pip cache as the main venv, so a warm cache takes
# seconds. Airflow 2 pins its own dependency ranges; only the extras the apps use are installed.
install_upgrade_venvs() {
  local version dir want reqs
  for version in $E2E_UPGRADE_FROM; do
    dir="$E2E_CACHE_DIR/airflow-venv-$version"
    reqs=("apache-airflow[postgres,statsd]==$version")
    # Airflow 2 sets an attribute on cryptography's MultiFernet (models/crypto.py), a Rust class
    # without attributes in newer releases (51 fails; 43.0.3 works): keep 2.x below 44.
    case "$version" in 2.*) reqs+=("cryptography<44") ;; esac
    want="${reqs[*]}"
    if [ -x "$dir/bin/airflow" ] && [ "$(cat "$dir/.e2e-requirements" 2>/dev/null)" = "$want" ]; then
      log "venv present: $dir"
      continue
    fi
    rm -rf "$dir"
    "$E2E_PYTHON" -m venv "$dir"
    log "pip install $want into $dir"
    "$dir/bin/python" -m pip install -q --upgrade pip
    "$dir/bin/python" -m pip install -q "${reqs[@]}"
    "$dir/bin/python" -m pip check >/dev/null || log "warning: pip check reports conflicts in $dir"
    printf '%s' "$want" >"$dir/.e2e-requirements"
    chmod -R a+rX "$dir"
  done
}

init_postgres() {
  local bin
  bin="$(pg_bin)" || die "postgresql binaries not found"
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    log "postgres data dir present: $PG_DATA"
    ensure_pg_hba
    return 0
  fi
  log "initdb $PG_DATA"
  as_user "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log"
  # loopback only; unix socket in our own dir (not /var/run/postgresql)
  cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $E2E_PG_PORT
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  ensure_pg_hba
}

# The superuser is trusted on loopback (setup and the harness use it); every other role must
# present its password, so a wrong generated password in the manifests fails as in the cluster.
PG_HBA='# Managed by tests/e2e/setup_deps.sh
local all postgres trust
host  all postgres 127.0.0.1/32 trust
host  all all      127.0.0.1/32 scram-sha-256'

ensure_pg_hba() {
  if [ "$(cat "$PG_DATA/pg_hba.conf" 2>/dev/null)" != "$PG_HBA" ]; then
    log "writing $PG_DATA/pg_hba.conf (password auth for non-superusers)"
    printf '%s\n' "$PG_HBA" >"$PG_DATA/pg_hba.conf"
    chown "$E2E_USER": "$PG_DATA/pg_hba.conf"
    if pg_running; then as_user "$(pg_bin)/pg_ctl" -D "$PG_DATA" reload >/dev/null; fi
  fi
}

pg_running() {
  local bin; bin="$(pg_bin)" || return 1
  as_user "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

redis_running() {
  [ -f "$REDIS_DIR/redis.pid" ] && kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null
}

start_services() {
  local bin; bin="$(pg_bin)"
  if pg_running; then
    log "postgres already running"
  else
    log "starting postgres on 127.0.0.1:$E2E_PG_PORT"
    if ! as_user "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $E2E_PG_PORT -h 127.0.0.1 -k $PG_DIR" start >/dev/null; then
      tail -n 5 "$PG_DIR/server.log" >&2
      die "postgres did not start (see $PG_DIR/server.log); if the port is taken by another checkout's e2e run, stop it with its tests/e2e/setup_deps.sh stop, or set E2E_PG_PORT"
    fi
  fi
  ensure_pg_hba
  local psql=("$bin/psql" -h 127.0.0.1 -p "$E2E_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtAX)
  if [ -z "$(as_user "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER_NAME'")" ]; then
    as_user "${psql[@]}" -c "CREATE ROLE $PG_USER_NAME LOGIN PASSWORD '$PG_PASSWORD'"
  fi
  if [ -z "$(as_user "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")" ]; then
    as_user "${psql[@]}" -c "CREATE DATABASE $PG_DB OWNER $PG_USER_NAME"
  fi
  if redis_running; then
    log "redis already running"
  else
    log "starting redis on 127.0.0.1:$E2E_REDIS_PORT"
    as_user redis-server --port "$E2E_REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
      --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_DIR/redis.pid" \
      --logfile "$REDIS_DIR/redis.log" --save "" --appendonly no
    local i
    for i in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p "$E2E_REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
      sleep 0.1
    done
  fi
  redis-cli -h 127.0.0.1 -p "$E2E_REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "redis did not start"
}

stop_services() {
  local bin
  if bin="$(pg_bin)" && [ -f "$PG_DATA/PG_VERSION" ] && pg_running; then
    log "stopping postgres"
    as_user "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
  if redis_running; then
    log "stopping redis"
    local pid; pid="$(cat "$REDIS_DIR/redis.pid")"
    kill "$pid"
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}

print_env() {
  cat <<EOF
export E2E_CACHE_DIR=$E2E_CACHE_DIR
export E2E_HARNESS_DIR=$HARNESS_DIR
export E2E_USER=$E2E_USER
export E2E_VENV=$VENV
export E2E_AIRFLOW=$VENV/bin/airflow
export E2E_PG_BIN=$(pg_bin || echo /usr/lib/postgresql/15/bin)
export E2E_PG_DATA=$PG_DATA
export E2E_PG_PORT=$E2E_PG_PORT
export E2E_REDIS_PORT=$E2E_REDIS_PORT
export E2E_KEYCLOAK_DIR=$KEYCLOAK_DIR
export E2E_BROWSER_DIR=$BROWSER_DIR
export E2E_SQL_ALCHEMY_CONN=postgresql+psycopg2://$PG_USER_NAME:$PG_PASSWORD@127.0.0.1:$E2E_PG_PORT/$PG_DB
export E2E_CELERY_BROKER_URL=redis://127.0.0.1:$E2E_REDIS_PORT/0
export E2E_CELERY_RESULT_BACKEND=db+postgresql://$PG_USER_NAME:$PG_PASSWORD@127.0.0.1:$E2E_PG_PORT/$PG_DB
EOF
}

status() {
  printf 'venv:     %s\n' "$([ -x "$VENV/bin/airflow" ] && "$VENV/bin/python" -c 'import importlib.metadata as m; print("airflow", m.version("apache-airflow"))' 2>/dev/null || echo missing)"
  printf 'postgres: %s\n' "$(pg_running && echo "running on 127.0.0.1:$E2E_PG_PORT" || echo stopped)"
  printf 'redis:    %s\n' "$(redis_running && echo "running on 127.0.0.1:$E2E_REDIS_PORT" || echo stopped)"
}

install_keycloak() {
  if [ -x "$KEYCLOAK_DIR/bin/kc.sh" ]; then
    log "keycloak present: $KEYCLOAK_DIR"
  else
    local url="https://repo.maven.apache.org/maven2/org/keycloak/keycloak-quarkus-dist/$E2E_KEYCLOAK_VERSION"
    local zip="$E2E_CACHE_DIR/keycloak-$E2E_KEYCLOAK_VERSION.zip"
    log "download keycloak-quarkus-dist $E2E_KEYCLOAK_VERSION (152 MiB)"
    curl -sSfL -o "$zip" "$url/keycloak-quarkus-dist-$E2E_KEYCLOAK_VERSION.zip"
    [ "$(sha1sum "$zip" | cut -d' ' -f1)" = "$(curl -sSfL "$url/keycloak-quarkus-dist-$E2E_KEYCLOAK_VERSION.zip.sha1")" ] \
      || die "keycloak zip does not match its .sha1"
    unzip -q -o "$zip" -d "$E2E_CACHE_DIR"
    rm -f "$zip"
  fi
  chmod -R a+rX "$KEYCLOAK_DIR"
  if [ -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ]; then
    log "playwright-core present: $BROWSER_DIR"
  else
    log "npm install playwright-core@$PLAYWRIGHT_VERSION (drives Debian's chromium; downloads no browser)"
    mkdir -p "$BROWSER_DIR"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install -s --no-audit --no-fund --prefix "$BROWSER_DIR" \
      "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
  fi
  chmod -R a+rX "$BROWSER_DIR"
}

install_all() {
  require_root
  install_apt
  ensure_user
  install_venv
  install_keycloak
  install_upgrade_venvs
  init_postgres
}

case "${1:-install}" in
  install) install_all ;;
  start) install_all; start_services; status ;;
  stop) require_root; stop_services ;;
  status) status ;;
  env) print_env ;;
  *) die "unknown command: $1 (install|start|stop|status|env)" ;;
esac
