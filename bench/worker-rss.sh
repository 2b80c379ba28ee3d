#!/usr/bin/env bash
# One worker of a pool, idle: its RSS 2 s after it is ready, and how long it took to be ready.
# Usage: bench/worker-rss.sh <checkout> <STEP_TYPES>, with the broker and database of
# `npm run infra:up` and the checkout built (`npx tsc -b`). It prints; it asserts nothing.
set -u
cd "$1"
port=19$((RANDOM % 900 + 100))
start=$(date +%s%N)
KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URI=mongodb://127.0.0.1:27017/weft-rss HEALTH_PORT=$port STEP_TYPES="$2" \
  WEFT_KAFKA_NAMESPACE=rss$RANDOM LOG_LEVEL=warn node services/worker/dist/main.js > /dev/null 2>&1 &
pid=$!
for i in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$port/readyz" > /dev/null; then break; fi
  sleep 0.1
done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "types=$2 ready_ms=$ready rss_mb=$((rss / 1024))"
kill -TERM $pid; wait $pid 2>/dev/null
