#!/usr/bin/env bash
# Local infrastructure without Docker: a single-node KRaft Kafka 3.9.1 from Maven Central, run with
# java, and the Postgres database. `up` is idempotent and returns once the broker answers; `down`
# stops only the broker this script started (by its recorded pid).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kafka_dir="$root/.infra/kafka"
kafka_port=9092
controller_port=9093
brokers=${KAFKA_BROKERS:-127.0.0.1:9092}
database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/eventlog}

log() { echo "infra: $*"; }

# shellcheck source=kafka-broker.sh
source "$root/scripts/kafka-broker.sh"

start_kafka() {
  if [[ "$brokers" != "127.0.0.1:9092" && "$brokers" != "localhost:9092" ]]; then
    log "KAFKA_BROKERS=$brokers is not local: starting no broker"
    return 0
  fi
  if pid=$(broker_pid); then log "Kafka already running (pid $pid)"; return 0; fi
  if port_open 127.0.0.1 9092; then log "a broker already listens on 127.0.0.1:9092: using it"; return 0; fi
  start_broker
}

start_postgres() {
  local hostport; hostport=$(node -e 'const u=new URL(process.argv[1]);console.log(`${u.hostname||"127.0.0.1"} ${u.port||5432}`)' "$database_url")
  # shellcheck disable=SC2086
  if ! port_open $hostport; then
    if command -v pg_ctlcluster >/dev/null && [[ "$hostport" == "127.0.0.1 5432" || "$hostport" == "localhost 5432" ]]; then
      log "starting the local PostgreSQL cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
    else
      echo "infra: PostgreSQL is not reachable at $hostport and cannot be started here" >&2; exit 1
    fi
  fi
  DATABASE_URL="$database_url" node "$root/scripts/ensure-database.js"
}

# kcat (librdkafka) is how the tests prove that a non-Node producer works; Debian ships it.
ensure_kcat() {
  command -v kcat >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing kcat from Debian's packages"
    (apt-get install -y -qq kcat >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq kcat; }) >/dev/null
  else
    log "kcat not found: install it (apt-get install kcat) to run the kcat test"
  fi
}

case "${1:-}" in
  up) start_postgres; start_kafka; ensure_kcat ;;
  down) stop_broker ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
