#!/usr/bin/env bash
# `npm run up`: the whole local stack from a fresh clone. Installs what is missing, starts
# Kafka, checks PostgreSQL and Redis, migrates, builds and starts the web app and every
# worker role, and prints the dashboard URL. Ctrl-C stops what it started.
#   PROCESSORS=N   number of processor workers (default 1)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-3000}"
PROCESSORS="${PROCESSORS:-1}"
ROLES=(processor anomaly alerts)
LOG_DIR=.local/logs
mkdir -p "$LOG_DIR"

bash scripts/stack/ensure-services.sh
kafka_was_running=0
bash scripts/kafka/kafka.sh status >/dev/null 2>&1 && kafka_was_running=1
bash scripts/kafka/kafka.sh start
npm run --silent db:setup
echo "up: building the web app"
npx next build >"$LOG_DIR/build.log" 2>&1 || { tail -40 "$LOG_DIR/build.log"; exit 1; }

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "up: stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$kafka_was_running" = 1 ] || bash scripts/kafka/kafka.sh stop
  exit 0
}
trap stop_all INT TERM EXIT

# WEB_PROCESSES `next start` processes sharing the port (web/start.ts)
node --import tsx web/start.ts -p "$PORT" >"$LOG_DIR/web.log" 2>&1 &
pids+=($!)
for role in "${ROLES[@]}"; do
  count=1
  [ "$role" = processor ] && count="$PROCESSORS"
  for i in $(seq 1 "$count"); do
    node --conditions=react-server --import tsx workers/main.ts "$role" >"$LOG_DIR/$role-$i.log" 2>&1 &
    pids+=($!)
  done
done

for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break; sleep 1; done
echo
echo "up: dashboard  http://localhost:$PORT"
echo "up: logs       $LOG_DIR/ (web.log, processor-1.log, ...)"
echo "up: Ctrl-C stops everything this command started"
wait -n "${pids[@]}" || true
echo "up: a process exited on its own; see $LOG_DIR"
exit 1
