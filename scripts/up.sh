#!/usr/bin/env bash
# `npm run up`: the whole local stack from a fresh clone. Installs what is missing, starts
# Kafka, checks PostgreSQL and Redis, migrates, builds, then hands the web app and every
# worker role to the supervisor (scripts/stack/supervise.ts): it restarts a process that
# dies, with backoff, and gives up (exit 1) on one that keeps failing right after start.
# Ctrl-C stops what it started.
#   PROCESSORS=N            number of processor workers (default 1)
#   KAFKA_LOCAL_BROKERS=3   a local three-node cluster (kafka.sh --brokers 3) instead of one
#                           broker; topics get replication factor 3, min.insync.replicas 2
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-3000}"
PROCESSORS="${PROCESSORS:-1}"
LOG_DIR=.local/logs
mkdir -p "$LOG_DIR"

# everything started from here runs on Node.js 24 (from the npm registry when PATH has an older one)
NODE_BIN="$(bash scripts/stack/ensure-node.sh)"
export PATH="$NODE_BIN:$PATH"
bash scripts/stack/ensure-services.sh
KAFKA_LOCAL_BROKERS="${KAFKA_LOCAL_BROKERS:-1}"
kafka_args=()
if [ "$KAFKA_LOCAL_BROKERS" != 1 ]; then
  kafka_args=(--brokers "$KAFKA_LOCAL_BROKERS")
fi
kafka_was_running=0
bash scripts/kafka/kafka.sh status "${kafka_args[@]}" >/dev/null 2>&1 && kafka_was_running=1
bash scripts/kafka/kafka.sh start "${kafka_args[@]}"
if [ "$KAFKA_LOCAL_BROKERS" != 1 ]; then
  KAFKA_BROKERS="$(bash scripts/kafka/kafka.sh brokers "${kafka_args[@]}")"
  export KAFKA_BROKERS
  export KAFKA_REPLICATION_FACTOR="${KAFKA_REPLICATION_FACTOR:-$(( KAFKA_LOCAL_BROKERS < 3 ? KAFKA_LOCAL_BROKERS : 3 ))}"
  echo "up: Kafka cluster of $KAFKA_LOCAL_BROKERS nodes ($KAFKA_BROKERS), replication factor $KAFKA_REPLICATION_FACTOR"
fi

supervisor_pid=""
# Every way out once the broker is up: stops the supervisor (it stops its processes, SIGKILL
# after a timeout), then the broker if this command started it.
finish() {
  trap - INT TERM EXIT
  if [ -n "$supervisor_pid" ] && kill -0 "$supervisor_pid" 2>/dev/null; then
    echo; echo "up: stopping"
    kill -TERM "$supervisor_pid" 2>/dev/null || true
  fi
  if [ -n "$supervisor_pid" ]; then wait "$supervisor_pid" 2>/dev/null || true; fi
  [ "$kafka_was_running" = 1 ] || bash scripts/kafka/kafka.sh stop "${kafka_args[@]}"
  exit "$1"
}
trap 'finish $?' EXIT
trap 'finish 0' INT TERM

npm run --silent db:setup
# secrets the production build needs, made once for this machine (kept out of git in .local/)
if [ -z "${AUTH_SECRET:-}" ] || [ -z "${SECRETS_KEY:-}" ]; then
  if [ ! -f .local/secrets.env ]; then
    umask 077
    { echo "AUTH_SECRET=$(openssl rand -base64 36 | tr -d '\n')"; echo "SECRETS_KEY=$(openssl rand -base64 32)"; } >.local/secrets.env
    umask 022
  fi
  set -a; . .local/secrets.env; set +a
fi
node --conditions=react-server --import tsx scripts/stack/first-run.ts
echo "up: building the web app"
npx next build >"$LOG_DIR/build.log" 2>&1 || { tail -40 "$LOG_DIR/build.log"; exit 1; }

# web.log, processor-1.log ... anomaly-1.log, alerts-1.log in $LOG_DIR; its own lines here
node --import tsx scripts/stack/supervise.ts --stack --port "$PORT" --processors "$PROCESSORS" --log-dir "$LOG_DIR" &
supervisor_pid=$!

for _ in $(seq 1 60); do
  kill -0 "$supervisor_pid" 2>/dev/null || break
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 1
done
if kill -0 "$supervisor_pid" 2>/dev/null; then
  echo
  echo "up: dashboard  http://localhost:$PORT"
  echo "up: logs       $LOG_DIR/ (web.log, processor-1.log, ...)"
  echo "up: Ctrl-C stops everything this command started"
fi
status=0
wait "$supervisor_pid" || status=$?
supervisor_pid=""
if [ "$status" = 0 ]; then
  echo "up: the supervisor was stopped"
else
  echo "up: the supervisor gave up (exit $status): a process kept failing right after start; see its last lines above and $LOG_DIR/"
fi
exit "$status"
