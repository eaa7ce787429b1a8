#!/usr/bin/env bash
# Starts the whole system on this machine's services: migrates, seeds demo data, then runs the
# worker in the background and the API in the foreground (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-services.sh
cargo build --bins
./target/debug/spacecloud-api seed

# Lower CPU priority: image decoding yields to the API when both want the two cores.
nice -n 10 ./target/debug/spacecloud-worker &
worker_pid=$!
trap 'kill -TERM "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null || true' EXIT

echo "API on http://${BIND_ADDR:-127.0.0.1:8080} (Swagger UI at /docs)"
./target/debug/spacecloud-api serve
