#!/usr/bin/env bash
# Starts the whole system on this machine's services: migrates, seeds demo data, then runs the
# worker in the background and the API in the foreground (Ctrl-C stops both).
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."

scripts/ensure-services.sh
cargo build --bins
./target/debug/spacecloud-api seed

# The worker at lower CPU priority (image decoding yields to the API when both want the two
# cores), its probes on WORKER_HTTP_ADDR, and started again, with a word, whenever it exits.
export WORKER_HTTP_ADDR=${WORKER_HTTP_ADDR:-127.0.0.1:9090}
(
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM
  while true; do
    nice -n 10 ./target/debug/spacecloud-worker &
    child=$!
    wait "$child" && status=0 || status=$?
    echo "start.sh: the worker exited (status $status); starting it again in 2 s" >&2
    sleep 2
  done
) &
worker_pid=$!
trap 'kill -TERM "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null || true' EXIT

echo "API on http://${BIND_ADDR:-127.0.0.1:8080} (Swagger UI at /docs)"
./target/debug/spacecloud-api serve
