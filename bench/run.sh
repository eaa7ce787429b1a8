#!/usr/bin/env bash
# Catalogue benchmark: release build, the bulk dataset (10,000 spaces, 100,000 orders) in its
# own database, then wrk at 32 connections against the list and the detail. Needs `wrk`
# (apt-get install wrk). Usage: bench/run.sh [duration, default 20s]
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
duration=${1:-20s}
export DATABASE_URL=${BENCH_DATABASE_URL:-mysql://root@127.0.0.1:3306/spacecloud_bench}
export BIND_ADDR=127.0.0.1:18080 RUST_LOG=warn
# Two cores serve best with few queries at a time; see docs/benchmarks.md (pool size).
export DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-4}
cargo build --release -q -p spacecloud-api
./target/release/spacecloud-api seed --bulk >/dev/null
./target/release/spacecloud-api serve &
api=$!
trap 'kill $api' EXIT
for _ in $(seq 50); do curl -fs http://$BIND_ADDR/healthz >/dev/null && break; sleep 0.2; done
# Warm the buffer pool and the connection pool before measuring.
wrk -t2 -c32 -d3s -s bench/list.lua http://$BIND_ADDR >/dev/null
echo "== list (mixed filters) =="
wrk -t2 -c32 -d"$duration" --latency -s bench/list.lua http://$BIND_ADDR
echo "== detail (random ids) =="
wrk -t2 -c32 -d"$duration" --latency -s bench/detail.lua http://$BIND_ADDR
