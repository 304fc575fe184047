#!/usr/bin/env bash
# The fault suite's own infrastructure (decision 022): a Kafka broker and a PostgreSQL cluster that
# only the fault suite uses, so that it can stop the one and restart the other without touching the
# broker on 127.0.0.1:9092 or the machine's Postgres that developers and the other tests use.
#
#   up [owner-pid]  stops what an earlier run left, starts a fresh broker and a fresh cluster
#                   (empty data directories), and a watchdog that stops both once owner-pid exits
#   down            stops both
#   kafka-down | kafka-up | pg-restart    what the scenarios do to them
#
# Ports (127.0.0.1): FAULTS_KAFKA_PORT (19092), FAULTS_CONTROLLER_PORT (19093), FAULTS_PG_PORT
# (15432). Everything lives in .infra/faults-kafka and .infra/faults-postgres. The Postgres server
# binaries are found with pg_config, in /usr/lib/postgresql/*/bin or on PATH (or FAULTS_PG_BINDIR).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kafka_dir="$root/.infra/faults-kafka"
kafka_port=${FAULTS_KAFKA_PORT:-19092}
controller_port=${FAULTS_CONTROLLER_PORT:-19093}
pg_port=${FAULTS_PG_PORT:-15432}
pg_dir="$root/.infra/faults-postgres"
owner_file="$root/.infra/faults-owner"
pg_skipped_file="$root/.infra/faults-postgres-skipped"

log() { echo "faults-infra: $*"; }
fail() { echo "faults-infra: $*" >&2; exit 1; }

# shellcheck source=kafka-broker.sh
source "$root/scripts/kafka-broker.sh"

# ── PostgreSQL: initdb + pg_ctl on a scratch data directory, as the postgres user when run as root ──

pg_bin() {
  local dir
  [[ -n "${FAULTS_PG_BINDIR:-}" ]] && { [[ -x "$FAULTS_PG_BINDIR/initdb" && -x "$FAULTS_PG_BINDIR/pg_ctl" ]] && echo "$FAULTS_PG_BINDIR"; return; }
  for dir in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return 0; }
  done
  return 1
}

# initdb and postgres refuse to run as root.
as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { [[ -f "$pg_dir/data/postmaster.pid" ]] && as_pg "$bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; }

# Where the suite cannot have a cluster of its own, it says why in $pg_skipped_file (one line) and
# the Postgres restart scenario is skipped with that reason; the others use the machine's Postgres.
no_own_pg() {
  echo "$*" > "$pg_skipped_file"
  log "no PostgreSQL cluster of its own: $*"
}

pg_up() {
  rm -f "$pg_skipped_file"
  bin=$(pg_bin) || { no_own_pg "initdb and pg_ctl not found (the PostgreSQL server package is not installed here)"; return 0; }
  if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then
    no_own_pg "running as root and there is no postgres user to run initdb and postgres as"; return 0
  fi
  port_open 127.0.0.1 "$pg_port" && fail "127.0.0.1:$pg_port is taken by a process this script did not start; set FAULTS_PG_PORT"
  rm -rf "$pg_dir"
  mkdir -p "$pg_dir"
  [[ $(id -u) == 0 ]] && chown postgres: "$pg_dir"
  as_pg test -w "$pg_dir" || { no_own_pg "the postgres user cannot write $pg_dir (a parent directory is closed to it)"; return 0; }
  log "initdb in ${pg_dir#"$root/"}/data, port $pg_port"
  as_pg "$bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; fail "initdb failed"; }
  cat >> "$pg_dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_dir'
max_connections = 100
shared_buffers = 128MB
log_line_prefix = '%m [%p] %q%u@%d '
CONF
  pg_start
}

pg_start() {
  as_pg "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 start >/dev/null \
    || { tail -n 30 "$pg_dir/postgres.log" >&2; fail "PostgreSQL did not start"; }
  log "PostgreSQL ready on 127.0.0.1:$pg_port (pid $(head -n 1 "$pg_dir/data/postmaster.pid"))"
}

pg_down() {
  bin=$(pg_bin) || return 0
  if pg_running; then
    log "stopping PostgreSQL on 127.0.0.1:$pg_port"
    as_pg "$bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null || as_pg "$bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null
  fi
}

pg_restart() {
  bin=$(pg_bin) || fail "initdb/pg_ctl not found"
  log "restarting PostgreSQL on 127.0.0.1:$pg_port"
  as_pg "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -m fast -w -t 60 restart >/dev/null
}

# ── Kafka ──

kafka_up() {
  if pid=$(broker_pid); then log "Kafka already running on 127.0.0.1:$kafka_port (pid $pid)"; return 0; fi
  for port in "$kafka_port" "$controller_port"; do
    port_open 127.0.0.1 "$port" && fail "127.0.0.1:$port is taken by a process this script did not start; set FAULTS_KAFKA_PORT / FAULTS_CONTROLLER_PORT"
  done
  start_broker
}

# ── the whole ──

down() {
  rm -f "$owner_file"
  stop_broker
  pg_down
}

# Stops what this run started once its owner (the jest process) is gone without a teardown
# (Ctrl-C, a crash). A later run overwrites the owner file, so a late watchdog leaves it alone.
watch() {
  local owner=$1 token=$2
  while kill -0 "$owner" 2>/dev/null; do sleep 2; done
  if [[ -f "$owner_file" && $(cat "$owner_file") == "$token" ]]; then
    log "owner pid $owner exited without stopping the fault suite's infrastructure: stopping it"
    down
  fi
}

case "${1:-}" in
  up)
    down  # whatever an earlier run left behind in these directories is ours to stop
    rm -rf "$kafka_dir/data"
    kafka_up
    pg_up
    if [[ -n "${2:-}" ]]; then
      token="$2-$(date +%s%N)"
      echo "$token" > "$owner_file"
      setsid nohup bash "$0" watch "$2" "$token" >>"$root/.infra/faults-watchdog.log" 2>&1 </dev/null &
    fi
    ;;
  down) down ;;
  kafka-up) kafka_up ;;
  kafka-down) stop_broker ;;
  pg-restart) pg_restart ;;
  watch) watch "$2" "$3" ;;
  *) echo "usage: $0 up [owner-pid] | down | kafka-up | kafka-down | pg-restart" >&2; exit 2 ;;
esac
