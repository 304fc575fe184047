# Sourced by scripts/infra.sh (the broker on 127.0.0.1:9092) and scripts/faults-infra.sh (the fault
# suite's own broker): a single-node KRaft Kafka 3.9.1 from Maven Central, run with java. One set of
# jars (.infra/kafka/lib); each broker has its own directory, ports and pid file.
#
# Before calling, set:
#   root            the repository root
#   kafka_dir       the broker's directory (server.properties, data/, logs/, kafka.pid)
#   kafka_port      its PLAINTEXT port on 127.0.0.1
#   controller_port its KRaft controller port on 127.0.0.1
# and define log() for progress lines.

kafka_lib="$root/.infra/kafka/lib"

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# The pid of the broker started in $kafka_dir, if it still runs.
broker_pid() {
  [[ -f "$kafka_dir/kafka.pid" ]] || return 1
  local pid; pid=$(cat "$kafka_dir/kafka.pid")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch_jars() {
  [[ -f "$kafka_lib/.complete" ]] && return 0
  log "fetching Apache Kafka 3.9.1 jars with Maven (cached in ~/.m2 after the first time)"
  rm -rf "$kafka_lib" && mkdir -p "$kafka_lib"
  mvn -B -q -f "$root/scripts/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$kafka_lib"
  touch "$kafka_lib/.complete"
}

write_broker_config() {
  mkdir -p "$kafka_dir/data" "$kafka_dir/logs"
  cat > "$kafka_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$kafka_dir/data
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
  cat > "$kafka_dir/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$kafka_dir/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
PROPS
}

# Formats the store if new, starts the broker in the background and returns once it answers
# describeCluster. The caller has checked that nothing else listens on the ports.
start_broker() {
  command -v java >/dev/null || { echo "infra: java not found; install a JDK 17" >&2; exit 1; }
  fetch_jars
  write_broker_config
  # The JVM's full tiered JIT, not C1 alone (-XX:TieredStopAtLevel=1): the broker runs for the
  # whole test suite or bench, and its C2-compiled code used about 30% less CPU (decision 005).
  local jvm=(-Xms128m -Xmx512m -XX:+UseSerialGC -Dlog4j.configuration="file:$kafka_dir/log4j.properties")
  java "${jvm[@]}" -cp "$kafka_lib/*" kafka.tools.StorageTool format -t eventlogLocalKafka0001 \
    -c "$kafka_dir/server.properties" --ignore-formatted >"$kafka_dir/logs/format.log" 2>&1
  log "starting Kafka on 127.0.0.1:$kafka_port (logs in ${kafka_dir#"$root/"}/logs)"
  nohup java "${jvm[@]}" -cp "$kafka_lib/*" kafka.Kafka "$kafka_dir/server.properties" >"$kafka_dir/logs/stdout.log" 2>&1 &
  echo $! > "$kafka_dir/kafka.pid"
  for _ in $(seq 1 120); do
    if node "$root/scripts/wait-for-kafka.js" "127.0.0.1:$kafka_port" >/dev/null 2>&1; then
      log "Kafka ready on 127.0.0.1:$kafka_port (pid $(cat "$kafka_dir/kafka.pid"))"; return 0
    fi
    kill -0 "$(cat "$kafka_dir/kafka.pid")" 2>/dev/null || { tail -n 30 "$kafka_dir/logs/stdout.log" "$kafka_dir/logs/server.log" >&2 || true; echo "infra: Kafka exited at start" >&2; exit 1; }
    sleep 0.5
  done
  echo "infra: Kafka did not become ready in 60 s" >&2; exit 1
}

# Stops the broker started in $kafka_dir (its recorded pid), and nothing else.
stop_broker() {
  local pid
  if pid=$(broker_pid); then
    log "stopping Kafka on 127.0.0.1:$kafka_port (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "no Kafka started in ${kafka_dir#"$root/"} is running"
  fi
  rm -f "$kafka_dir/kafka.pid"
}
