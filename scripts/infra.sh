#!/usr/bin/env bash
# Local infrastructure without Docker: a single-node KRaft Kafka 3.9.1 from Maven Central, run with
# java, and the Postgres database. `up` is idempotent and returns once the broker answers; `down`
# stops only the broker this script started (by its recorded pid).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
infra="$root/.infra/kafka"
lib="$infra/lib"
pidfile="$infra/kafka.pid"
brokers=${KAFKA_BROKERS:-127.0.0.1:9092}
database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/eventlog}

log() { echo "infra: $*"; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch_jars() {
  [[ -f "$lib/.complete" ]] && return 0
  log "fetching Apache Kafka 3.9.1 jars with Maven (cached in ~/.m2 after the first time)"
  rm -rf "$lib" && mkdir -p "$lib"
  mvn -B -q -f "$root/scripts/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  touch "$lib/.complete"
}

write_config() {
  mkdir -p "$infra/data" "$infra/logs"
  cat > "$infra/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$infra/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=2097152
num.network.threads=2
num.io.threads=2
auto.create.topics.enable=false
delete.topic.enable=true
log.flush.interval.ms=1000
log.flush.scheduler.interval.ms=1000
PROPS
  cat > "$infra/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$infra/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
PROPS
}

start_kafka() {
  if [[ "$brokers" != "127.0.0.1:9092" && "$brokers" != "localhost:9092" ]]; then
    log "KAFKA_BROKERS=$brokers is not local: starting no broker"
    return 0
  fi
  if pid=$(running_pid); then log "Kafka already running (pid $pid)"; return 0; fi
  if port_open 127.0.0.1 9092; then log "a broker already listens on 127.0.0.1:9092: using it"; return 0; fi
  command -v java >/dev/null || { echo "infra: java not found; install a JDK 17" >&2; exit 1; }
  fetch_jars
  write_config
  # The JVM's full tiered JIT, not C1 alone (-XX:TieredStopAtLevel=1): the broker runs for the
  # whole test suite or bench, and its C2-compiled code used about 30% less CPU (decision 005).
  local jvm=(-Xms128m -Xmx512m -XX:+UseSerialGC -Dlog4j.configuration="file:$infra/log4j.properties")
  java "${jvm[@]}" -cp "$lib/*" kafka.tools.StorageTool format -t eventlogLocalKafka0001 \
    -c "$infra/server.properties" --ignore-formatted >"$infra/logs/format.log" 2>&1
  log "starting Kafka on 127.0.0.1:9092 (logs in .infra/kafka/logs)"
  nohup java "${jvm[@]}" -cp "$lib/*" kafka.Kafka "$infra/server.properties" >"$infra/logs/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if node "$root/scripts/wait-for-kafka.js" 127.0.0.1:9092 >/dev/null 2>&1; then
      log "Kafka ready (pid $(cat "$pidfile"))"; return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -n 30 "$infra/logs/stdout.log" "$infra/logs/server.log" >&2 || true; echo "infra: Kafka exited at start" >&2; exit 1; }
    sleep 0.5
  done
  echo "infra: Kafka did not become ready in 60 s" >&2; exit 1
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

stop_kafka() {
  if pid=$(running_pid); then
    log "stopping Kafka (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "no Kafka started by this script is running"
  fi
  rm -f "$pidfile"
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
  down) stop_kafka ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
