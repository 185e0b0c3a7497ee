#!/usr/bin/env bash
# `npm test`: set up the stack for a test database, then verify (format, lint, types),
# unit, integration (real Kafka, PostgreSQL, Redis), fault, operations, three-broker cluster
# and browser tests. Ends with one line
# "N passed, N failed" over every suite; exits non-zero if anything failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p .local/test-results
rm -f .local/test-results/*.json

step() { echo; echo "==> $*"; }
fail_setup() { echo "test set-up failed: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

step "stack"
# every suite runs on Node.js 24 (from the npm registry when PATH has an older one)
NODE_BIN="$(bash scripts/stack/ensure-node.sh)" || fail_setup "Node.js 24"
export PATH="$NODE_BIN:$PATH"
echo "node $(node --version)"
bash scripts/stack/ensure-services.sh || fail_setup "services"
bash scripts/stack/ensure-chromium.sh || fail_setup "chromium"
kafka_was_running=0
bash scripts/kafka/kafka.sh status >/dev/null 2>&1 && kafka_was_running=1
bash scripts/kafka/kafka.sh start || fail_setup "kafka"
# leave the machine as we found it: stop the broker if this run started it
[ "$kafka_was_running" = 1 ] || trap 'bash scripts/kafka/kafka.sh stop >/dev/null 2>&1' EXIT
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/analytics_test"
npm run --silent db:setup || fail_setup "database"

verify_failed=0
step "verify (format, lint, types)"
npm run --silent verify || verify_failed=1

step "build"
npx next build >.local/test-results/build.log 2>&1 || { tail -40 .local/test-results/build.log; fail_setup "next build"; }

step "unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=.local/test-results/unit.json

step "integration tests"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=.local/test-results/integration.json

step "fault tests (dependencies stopped and started, processes killed)"
npx vitest run --project faults --reporter=default --reporter=json --outputFile.json=.local/test-results/faults.json

step "operations tests (restore drill, system metrics of every role, real Prometheus)"
npx vitest run --project ops --reporter=default --reporter=json --outputFile.json=.local/test-results/ops.json

step "cluster tests (three brokers: a broker and then the controller leader killed under ingest)"
npx vitest run --project cluster --reporter=default --reporter=json --outputFile.json=.local/test-results/cluster.json

step "browser tests"
PLAYWRIGHT_JSON_OUTPUT_NAME="$ROOT/.local/test-results/e2e.json" npx playwright test -c e2e/playwright.config.ts --reporter=list,json

step "summary"
node scripts/test-summary.mjs "$verify_failed"
