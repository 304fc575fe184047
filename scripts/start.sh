#!/usr/bin/env bash
# `npm start`: brings up what is missing (local Kafka, the database, migrations), builds, and runs
# the ingest and query apps until Ctrl-C, which stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/infra.sh up
npm run --silent build
npm run --silent migrate

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop INT TERM EXIT

node --max-semi-space-size=64 dist/apps/ingest/src/main.js & pids+=($!)
node dist/apps/query/src/main.js & pids+=($!)
echo "eventlog: ingest on :${INGEST_HTTP_PORT:-3001}, query on :${QUERY_HTTP_PORT:-3000} (Ctrl-C stops both; npm run infra:down stops Kafka)"
wait -n
