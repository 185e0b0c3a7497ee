#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft: broker + controller in one JVM) on 127.0.0.1.
#
#   bash scripts/kafka/kafka.sh fetch                 resolve the jars with Maven (quick when done)
#   bash scripts/kafka/kafka.sh start                 fetch if needed, format once, start, wait until it answers
#   bash scripts/kafka/kafka.sh stop                  SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT s
#   bash scripts/kafka/kafka.sh restart               stop + start
#   bash scripts/kafka/kafka.sh status                "running" (exit 0) or "not running" (exit 1)
#   bash scripts/kafka/kafka.sh logs [N]              last N lines of the broker log
#   bash scripts/kafka/kafka.sh perf-producer ARGS..  org.apache.kafka.tools.ProducerPerformance
#   bash scripts/kafka/kafka.sh perf-consumer ARGS..  org.apache.kafka.tools.ConsumerPerformance
#   bash scripts/kafka/kafka.sh tool CLASS ARGS..     any other Kafka main class on the same classpath
#
#   start|stop|restart|status --brokers N             a local cluster of N KRaft nodes instead (each a broker
#                                                     and a voter of the controller quorum): node i listens on
#                                                     KAFKA_CLUSTER_PORT + 2(i-1), its controller on the next
#                                                     port, its state in KAFKA_CLUSTER_DIR/node-i; internal
#                                                     topics and the topic defaults get replication factor
#                                                     min(N, 3) and min.insync.replicas 2 (N >= 3)
#
# Environment:
#   KAFKA_PORT             PLAINTEXT listener port          (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port   (default 9093)
#   KAFKA_DATA_DIR         state dir: data/ logs/ config/ kafka.pid (default .local/kafka; relative = repo root)
#   KAFKA_HEAP_OPTS        broker heap                      (default -Xms256m -Xmx512m)
#   KAFKA_JVM_OPTS         extra broker JVM options         (default none)
#   KAFKA_TOOLS_HEAP_OPTS  heap of the perf tools           (default -Xmx512m)
#   KAFKA_START_TIMEOUT    seconds to wait for the broker   (default 60)
#   KAFKA_STOP_TIMEOUT     seconds before SIGKILL           (default 30)
#   JAVA_HOME              Java 17+ (default: `java` on PATH)
#   KAFKA_CLUSTER_DIR      state of a --brokers N cluster   (default .local/kafka-cluster)
#   KAFKA_CLUSTER_PORT     first node's client port         (default 29092: beside a single broker on 9092)
#   KAFKA_CLUSTER_HEAP_OPTS  heap of each cluster node      (default -Xms128m -Xmx320m)
#
# Jars go to .local/kafka/libs (git-ignored), shared by every KAFKA_DATA_DIR.
# See docs/kafka.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

POM="$ROOT/infra/kafka/pom.xml"
TEMPLATE="$ROOT/infra/kafka/server.properties.template"
LIBS="$ROOT/.local/kafka/libs"
MARKER="$LIBS/.pom.sha256"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
STATE="${KAFKA_DATA_DIR:-.local/kafka}"
case "$STATE" in /*) ;; *) STATE="$ROOT/$STATE" ;; esac
DATA="$STATE/data"
LOGS="$STATE/logs"
CONF="$STATE/config"
PIDFILE="$STATE/kafka.pid"
PROPS="$CONF/server.properties"
BROKER_LOG4J="$CONF/log4j2.properties"
TOOLS_LOG4J="$CONF/tools-log4j2.properties"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_TOOLS_HEAP_OPTS="${KAFKA_TOOLS_HEAP_OPTS:--Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
BROKER_MAIN="kafka.Kafka"

log() { echo "kafka: $*"; }
die() {
  echo "kafka: ERROR: $*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
elapsed() { # start_ms -> "1.23s"
  local d=$(($(now_ms) - $1))
  printf '%d.%02ds' $((d / 1000)) $(((d % 1000) / 10))
}

# ---------------------------------------------------------------- prerequisites

need_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (need Java 17+; set JAVA_HOME or put java on PATH)"
  local v
  v="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
  [[ -n "$v" ]] || die "could not read the Java version of $JAVA"
  if [[ "${v%%.*}" -lt 17 ]]; then
    die "Java $v found at $(command -v "$JAVA"); Kafka 4.x needs Java 17+ (set JAVA_HOME)"
  fi
}

check_port_number() { # name value
  if ! [[ "$2" =~ ^[0-9]+$ ]] || (($2 < 1 || $2 > 65535)); then
    die "$1=$2 is not a port number"
  fi
}

# true when something accepts TCP connections on 127.0.0.1:$1
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# true while the process exists and has not finished exiting. kill -0 alone is
# not enough: it also succeeds on a zombie waiting to be reaped, and the main
# thread turns zombie while the other threads still exit (and hold the ports),
# so look at the state of every thread.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local f stat state
  for f in /proc/"$1"/task/*/stat; do
    stat="$(cat "$f" 2>/dev/null)" || continue
    stat="${stat##*) }" # the thread name may contain spaces and parentheses
    state="${stat%% *}"
    [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]] && return 0
  done
  return 1
}

# ---------------------------------------------------------------- fetch

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

libs_complete() {
  [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$(pom_hash)" ]]
}

cmd_fetch() {
  if libs_complete; then
    log "jars up to date in ${LIBS#"$ROOT"/}"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) not found: it is needed once to download the Kafka jars from Maven Central"
  local t0 tmp
  t0="$(now_ms)"
  tmp="$LIBS.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$LIBS")"
  log "resolving Kafka jars with Maven (infra/kafka/pom.xml) ..."
  # copy into a temp dir and swap, so an interrupted fetch never looks complete
  # (sed: Maven 3.8 prints stray colour-reset codes even in batch/quiet mode)
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g'; then
    rm -rf "$tmp"
    die "Maven could not resolve infra/kafka/pom.xml (network to Maven Central? see the output above)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || {
    rm -rf "$tmp"
    die "Maven finished but no kafka_2.13 jar was copied"
  }
  pom_hash >"$tmp/.pom.sha256"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars into ${LIBS#"$ROOT"/} in $(elapsed "$t0")"
}

ensure_libs() { libs_complete || cmd_fetch; }

# ---------------------------------------------------------------- config

write_configs() {
  mkdir -p "$DATA" "$LOGS" "$CONF"
  [[ -f "$TEMPLATE" ]] || die "missing $TEMPLATE"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@KAFKA_LOG_DIRS@|$DATA|g" \
    "$TEMPLATE" >"$PROPS.tmp"
  if [[ -n "${KAFKA_NODE_ID:-}" ]]; then
    # a node of a --brokers N cluster (set by cluster_start): its id, the quorum, replication
    local size="${KAFKA_CLUSTER_SIZE:?}" rf isr
    rf=$((size < 3 ? size : 3))
    isr=$((rf >= 3 ? 2 : 1))
    sed -i -e "s|^node.id=.*|node.id=$KAFKA_NODE_ID|" \
      -e "s|^controller.quorum.voters=.*|controller.quorum.voters=${KAFKA_QUORUM_VOTERS:?}|" \
      -e "s|^default.replication.factor=.*|default.replication.factor=$rf|" \
      -e "s|^min.insync.replicas=.*|min.insync.replicas=$isr|" \
      -e "s|^offsets.topic.replication.factor=.*|offsets.topic.replication.factor=$rf|" \
      -e "s|^transaction.state.log.replication.factor=.*|transaction.state.log.replication.factor=$rf|" \
      -e "s|^transaction.state.log.min.isr=.*|transaction.state.log.min.isr=$isr|" \
      -e "s|^share.coordinator.state.topic.replication.factor=.*|share.coordinator.state.topic.replication.factor=$rf|" \
      -e "s|^share.coordinator.state.topic.min.isr=.*|share.coordinator.state.topic.min.isr=$isr|" \
      "$PROPS.tmp"
  fi
  mv "$PROPS.tmp" "$PROPS"

  # Broker: everything to a rolling file at INFO; only ERROR reaches stdout
  # (which kafka.sh sends to logs/kafka.out anyway).
  cat >"$BROKER_LOG4J" <<'EOF'
# generated by scripts/kafka/kafka.sh
status = warn
name = kafka-broker
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = ERROR
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
rootLogger.appenderRef.console.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF

  # Perf tools and other CLI tools: WARN and above to stderr, so their result
  # lines on stdout stay clean.
  cat >"$TOOLS_LOG4J" <<'EOF'
# generated by scripts/kafka/kafka.sh
status = warn
name = kafka-tools
appender.console.type = Console
appender.console.name = STDERR
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = STDERR
EOF
}

# ---------------------------------------------------------------- process

# pid from the pid file if that process is alive and is our broker; else empty
running_pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid args
  pid="$(tr -dc '0-9' <"$PIDFILE")"
  [[ -n "$pid" ]] || return 0
  alive "$pid" || return 0
  args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  if [[ "$args" == *"$BROKER_MAIN"* && "$args" == *"$PROPS"* ]]; then
    echo "$pid"
  fi
}

# a running broker listens where the config it was started with says, whatever KAFKA_PORT is now
use_running_port() {
  local port
  port="$(sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:\([0-9]*\).*|\1|p' "$PROPS" 2>/dev/null || true)"
  KAFKA_PORT="${port:-$KAFKA_PORT}"
}

# remove a pid file whose process is gone (or is no longer our broker)
clear_stale_pidfile() {
  if [[ -f "$PIDFILE" && -z "$(running_pid)" ]]; then
    log "removing stale pid file ${PIDFILE#"$ROOT"/} (pid $(tr -dc '0-9' <"$PIDFILE") is not a running broker)"
    rm -f "$PIDFILE"
  fi
}

java_classpath() { echo "$LIBS/*"; }

# TRICKY: an id that starts with "-" is read as an option by kafka-storage (CI failed on one);
# Kafka's own Uuid.randomUuid draws again in that case, and so does this.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" == -* ]] || break
  done
  printf '%s\n' "$id"
}

format_storage() {
  if [[ -f "$DATA/meta.properties" ]]; then
    return 0
  fi
  local cluster_id t0
  t0="$(now_ms)"
  # KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid` prints);
  # every node of a --brokers N cluster is formatted with the cluster's one id
  cluster_id="${KAFKA_CLUSTER_ID:-$(new_cluster_id)}"
  log "formatting ${DATA#"$ROOT"/} (cluster id $cluster_id) ..."
  if ! "$JAVA" -Xmx256m -cp "$(java_classpath)" \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$PROPS" --ignore-formatted \
    >"$LOGS/format.out" 2>&1; then
    cat "$LOGS/format.out" >&2
    die "kafka-storage format failed"
  fi
  log "formatted in $(elapsed "$t0")"
}

print_log_tail() {
  local f
  for f in "$LOGS/kafka.out" "$LOGS/server.log"; do
    if [[ -s "$f" ]]; then
      echo "----- last 40 lines of ${f#"$ROOT"/} -----" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

# metadata round trip: kafkajs (the client this project uses) when installed,
# else Kafka's own kafka-topics tool
broker_answers() {
  if [[ -f "$ROOT/node_modules/kafkajs/package.json" ]] && command -v node >/dev/null 2>&1; then
    KAFKAJS_NO_PARTITIONER_WARNING=1 node --input-type=commonjs -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "kafka-sh-ready", brokers: [process.argv[1]],
        logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } });
      const admin = kafka.admin();
      (async () => {
        await admin.connect();
        await admin.listTopics();
        const c = await admin.describeCluster();
        await admin.disconnect();
        process.exit(c.brokers.length > 0 ? 0 : 1);
      })().catch(() => process.exit(1));
      setTimeout(() => process.exit(1), 5000).unref();
    ' "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
  else
    "$JAVA" -Xmx128m -cp "$(java_classpath)" -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
      org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list \
      >/dev/null 2>&1
  fi
}

with_lock() { # serialise start/stop of the same KAFKA_DATA_DIR (e.g. parallel test workers)
  mkdir -p "$STATE"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE/.kafka.sh.lock"
    flock -w 120 9 || die "another kafka.sh is holding ${STATE#"$ROOT"/}/.kafka.sh.lock"
  fi
  "$@"
}

do_start() {
  local t0 pid
  t0="$(now_ms)"
  check_port_number KAFKA_PORT "$KAFKA_PORT"
  check_port_number KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT are both $KAFKA_PORT"

  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    local port_now="$KAFKA_PORT" rc=0
    use_running_port
    wait_ready "$pid" || rc=$? # returns at once unless it is still starting
    if ((rc == 0)); then
      log "already running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
      return 0
    elif ((rc == 2)); then
      die "a broker (pid $pid) is running but does not answer on 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s; see ${LOGS#"$ROOT"/} or run kafka.sh stop"
    fi
    # it was dying (e.g. just killed): start a new one
    KAFKA_PORT="$port_now"
  fi
  clear_stale_pidfile

  # A broker killed a moment ago (kill -9, then start) still holds its ports
  # while its last threads exit: give a busy port a few seconds to free up.
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    for _ in $(seq 1 30); do
      port_open "$p" || break
      sleep 0.1
    done
    if port_open "$p"; then
      die "port $p on 127.0.0.1 is already in use by another process (not the broker of ${STATE#"$ROOT"/}); stop it or set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done

  need_java
  ensure_libs
  write_configs
  format_storage

  [[ -f "$LOGS/kafka.out" ]] && mv -f "$LOGS/kafka.out" "$LOGS/kafka.out.prev"
  # The child writes its own pid (exec keeps it) so that $! of setsid does not matter.
  # TRICKY: it closes every inherited descriptor above 2 first. A broker that outlives its
  # caller would otherwise hold whatever the caller had open: `flock LOCK kafka.sh start`
  # left the lock held by the broker for as long as it ran.
  # shellcheck disable=SC2086,SC2016 # heap / JVM opts are word lists; $$ is for the child
  setsid bash -c 'echo $$ >"$1"; shift
    for fd in /proc/$$/fd/*; do fd="${fd##*/}"; ((fd > 2)) && eval "exec $fd>&-"; done 2>/dev/null
    exec "$@"' _ "$PIDFILE" \
    "$JAVA" $KAFKA_HEAP_OPTS \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    ${KAFKA_JVM_OPTS:-} \
    -Dkafka.logs.dir="$LOGS" -Dlog4j2.configurationFile="$BROKER_LOG4J" -Dlog4j2.shutdownHookEnabled=false \
    -cp "$(java_classpath)" "$BROKER_MAIN" "$PROPS" \
    >"$LOGS/kafka.out" 2>&1 </dev/null 9>&- &

  # wait for the pid file written by the child
  for _ in $(seq 1 50); do
    [[ -s "$PIDFILE" ]] && break
    sleep 0.1
  done
  pid="$(tr -dc '0-9' <"$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "the broker did not write its pid file"
  log "starting broker (pid $pid) on 127.0.0.1:$KAFKA_PORT, controller 127.0.0.1:$KAFKA_CONTROLLER_PORT ..."

  local rc=0
  wait_ready "$pid" || rc=$?
  if ((rc == 1)); then
    rm -f "$PIDFILE"
    print_log_tail
    die "the broker exited during startup (logs in ${LOGS#"$ROOT"/})"
  elif ((rc == 2)); then
    print_log_tail
    die "the broker (pid $pid) did not answer on 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s; it is left running for inspection (kafka.sh stop)"
  fi
  log "running (pid $pid, 127.0.0.1:$KAFKA_PORT), ready in $(elapsed "$t0"); logs in ${LOGS#"$ROOT"/}"
}

# wait until the broker answers a metadata request.
# returns 0 when ready, 1 when the process exited, 2 on timeout
wait_ready() {
  local pid="$1"
  local deadline=$(($(date +%s) + KAFKA_START_TIMEOUT))
  while :; do
    alive "$pid" || return 1
    if port_open "$KAFKA_PORT" && broker_answers; then
      return 0
    fi
    (($(date +%s) < deadline)) || return 2
    sleep 0.2
  done
}

do_stop() {
  local pid t0
  t0="$(now_ms)"
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    clear_stale_pidfile
    log "not running"
    return 0
  fi
  log "stopping broker (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(($(date +%s) + KAFKA_STOP_TIMEOUT))
  while alive "$pid"; do
    if (($(date +%s) >= deadline)); then
      log "still alive after ${KAFKA_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.05
  done
  # after SIGKILL the process can take a moment to die
  for _ in $(seq 1 50); do
    alive "$pid" || break
    sleep 0.1
  done
  alive "$pid" && die "pid $pid did not exit"
  rm -f "$PIDFILE"
  log "stopped in $(elapsed "$t0")"
}

do_restart() {
  do_stop
  do_start
}

cmd_status() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    use_running_port
    if port_open "$KAFKA_PORT"; then
      echo "running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
    else
      echo "running (pid $pid, 127.0.0.1:$KAFKA_PORT not accepting connections yet)"
    fi
    return 0
  fi
  if [[ -f "$PIDFILE" ]]; then
    echo "not running (stale pid file ${PIDFILE#"$ROOT"/})"
  else
    echo "not running"
  fi
  return 1
}

run_tool() { # main-class args...
  local main="$1"
  shift
  need_java
  ensure_libs >&2
  mkdir -p "$CONF"
  [[ -f "$TOOLS_LOG4J" ]] || write_configs
  # shellcheck disable=SC2086
  exec "$JAVA" $KAFKA_TOOLS_HEAP_OPTS -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
    -cp "$(java_classpath)" "$main" "$@"
}

# ---------------------------------------------------------------- cluster (--brokers N)

CLUSTER="${KAFKA_CLUSTER_DIR:-.local/kafka-cluster}"
case "$CLUSTER" in /*) ;; *) CLUSTER="$ROOT/$CLUSTER" ;; esac
KAFKA_CLUSTER_PORT="${KAFKA_CLUSTER_PORT:-29092}"

node_port() { echo $((KAFKA_CLUSTER_PORT + 2 * ($1 - 1))); }

# runs this script for node $2 of an N-node cluster ($1), with command $3
for_node() {
  local size="$1" id="$2" command="$3" voters="" i
  for ((i = 1; i <= size; i++)); do voters+="${voters:+,}$i@127.0.0.1:$(($(node_port "$i") + 1))"; done
  KAFKA_DATA_DIR="$CLUSTER/node-$id" KAFKA_PORT="$(node_port "$id")" KAFKA_CONTROLLER_PORT="$(($(node_port "$id") + 1))" \
    KAFKA_NODE_ID="$id" KAFKA_CLUSTER_SIZE="$size" KAFKA_QUORUM_VOTERS="$voters" \
    KAFKA_CLUSTER_ID="$(cat "$CLUSTER/cluster.id" 2>/dev/null || true)" \
    KAFKA_HEAP_OPTS="${KAFKA_CLUSTER_HEAP_OPTS:--Xms128m -Xmx320m}" \
    KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-15}" \
    bash "${BASH_SOURCE[0]}" "$command" 2>&1 | sed -u "s/^kafka:/kafka node-$id:/"
  return "${PIPESTATUS[0]}"
}

cluster_size_of_dir() { find "$CLUSTER" -maxdepth 1 -name 'node-*' -type d 2>/dev/null | wc -l; }

# the client addresses of an N-node cluster, comma-separated (KAFKA_BROKERS of the app)
cluster_brokers() {
  local size="$1" list="" i
  for ((i = 1; i <= size; i++)); do list+="${list:+,}127.0.0.1:$(node_port "$i")"; done
  echo "$list"
}

# every node answers and the cluster has all N brokers registered
cluster_answers() {
  local size="$1"
  KAFKAJS_NO_PARTITIONER_WARNING=1 node --input-type=commonjs -e '
    const { Kafka, logLevel } = require("kafkajs");
    const kafka = new Kafka({ clientId: "kafka-sh-ready", brokers: process.argv[1].split(","),
      logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } });
    const admin = kafka.admin();
    (async () => {
      await admin.connect();
      const c = await admin.describeCluster();
      await admin.disconnect();
      process.exit(c.brokers.length === Number(process.argv[2]) ? 0 : 1);
    })().catch(() => process.exit(1));
    setTimeout(() => process.exit(1), 5000).unref();
  ' "$(cluster_brokers "$size")" "$size" >/dev/null 2>&1
}

cluster_start() {
  local size="$1" t0 i failed=0
  t0="$(now_ms)"
  ((size >= 1 && size <= 9)) || die "--brokers must be 1 to 9"
  need_java
  ensure_libs
  mkdir -p "$CLUSTER"
  local existing
  existing="$(cluster_size_of_dir)"
  if [[ -f "$CLUSTER/cluster.id" && "$existing" -gt 0 && "$existing" -ne "$size" ]]; then
    die "${CLUSTER#"$ROOT"/} holds a cluster of $existing nodes; stop it and remove the folder to start $size"
  fi
  [[ -f "$CLUSTER/cluster.id" ]] || new_cluster_id >"$CLUSTER/cluster.id"
  log "starting a cluster of $size nodes (ports $(cluster_brokers "$size")) ..."
  # all at once: a node answers only once a majority of the controller quorum runs
  local pids=()
  for ((i = 1; i <= size; i++)); do
    for_node "$size" "$i" start &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=1; done
  ((failed == 0)) || die "a node of the cluster did not start (see above)"
  local deadline=$(($(date +%s) + KAFKA_START_TIMEOUT))
  until cluster_answers "$size"; do
    (($(date +%s) < deadline)) || die "the cluster did not register $size brokers within ${KAFKA_START_TIMEOUT}s"
    sleep 0.2
  done
  log "cluster of $size running (KAFKA_BROKERS=$(cluster_brokers "$size")), ready in $(elapsed "$t0")"
}

cluster_stop() {
  local size i pids=() failed=0
  size="$(cluster_size_of_dir)"
  ((size > 0)) || {
    log "no cluster in ${CLUSTER#"$ROOT"/}"
    return 0
  }
  # all at once: stopped one by one, the last nodes would wait for a quorum that is gone
  for ((i = 1; i <= size; i++)); do
    for_node "$size" "$i" stop &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=1; done
  ((failed == 0)) || die "a node of the cluster did not stop"
}

cluster_status() {
  local size i down=0
  size="$(cluster_size_of_dir)"
  ((size > 0)) || {
    echo "no cluster"
    return 1
  }
  for ((i = 1; i <= size; i++)); do
    for_node "$size" "$i" status || down=1
  done
  ((down == 0))
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
brokers=""
if [[ "${1:-}" == "--brokers" ]]; then
  brokers="${2:?--brokers needs a number}"
  [[ "$brokers" =~ ^[0-9]+$ ]] || die "--brokers needs a number, got $brokers"
  shift 2
fi
if [[ -n "$brokers" ]]; then
  case "$cmd" in
    start) cluster_start "$brokers" ;;
    stop) cluster_stop ;;
    restart) cluster_stop && cluster_start "$brokers" ;;
    status) cluster_status ;;
    brokers) cluster_brokers "$brokers" ;;
    *) die "--brokers goes with start, stop, restart, status or brokers" ;;
  esac
  exit $?
fi
case "$cmd" in
  fetch) cmd_fetch ;;
  start) with_lock do_start ;;
  stop) with_lock do_stop ;;
  restart) with_lock do_restart ;;
  status) cmd_status ;;
  logs) tail -n "${1:-100}" "$LOGS/server.log" ;;
  perf-producer) run_tool org.apache.kafka.tools.ProducerPerformance "$@" ;;
  perf-consumer) run_tool org.apache.kafka.tools.ConsumerPerformance "$@" ;;
  tool)
    [[ $# -ge 1 ]] || die "usage: kafka.sh tool MAIN_CLASS [ARGS...]"
    run_tool "$@"
    ;;
  -h | --help | help) usage ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    usage >&2
    die "unknown command: $cmd"
    ;;
esac
