#!/usr/bin/env bash
# The list benchmark (bench/list.lua, 32 connections) on the code before and after a change,
# in one run and on the same data: the older build seeds the bulk dataset into a database of
# its own; a copy of that database is migrated forward by the newer build, which serves it.
# Each rate is reported with that build's /healthz measured just before it. Needs wrk.
# Usage: bench/list_before_after.sh BEFORE_COMMIT [duration=20s]
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
before=${1:?usage: $0 BEFORE_COMMIT [duration]}
duration=${2:-20s}
export RUST_LOG=warn DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-4}
work=$(mktemp -d)
tree=$work/before
api_pid=
trap '[ -z "$api_pid" ] || kill "$api_pid" 2>/dev/null; git worktree remove --force "$tree" 2>/dev/null; rm -rf "$work"' EXIT

# The old build first, in the same target directory (dependencies are shared), copied aside.
git worktree add -q --detach "$tree" "$before"
CARGO_TARGET_DIR=$PWD/target cargo build --release -q -p spacecloud-api --manifest-path "$tree/Cargo.toml"
cp target/release/spacecloud-api "$work/api-before"
# The older build's dep-info now names the worktree's files, whose mtimes are older than its
# artifacts: cargo would take this tree's crates for fresh and hand back the older binary.
touch api/src/lib.rs api/src/main.rs common/src/lib.rs
cargo build --release -q -p spacecloud-api
cmp -s target/release/spacecloud-api "$work/api-before" && { echo "the two builds are the same binary" >&2; exit 1; }
cp target/release/spacecloud-api "$work/api-after"

# The same rows for both: seeded once by the older build, copied, the copy migrated forward.
old_db=spacecloud_bench_before new_db=spacecloud_bench_after
mysql -uroot -e "DROP DATABASE IF EXISTS $old_db"
DATABASE_URL=mysql://root@127.0.0.1:3306/$old_db "$work/api-before" seed --bulk >/dev/null
mysql -uroot -e "DROP DATABASE IF EXISTS $new_db; CREATE DATABASE $new_db"
mysqldump -uroot --single-transaction "$old_db" | mysql -uroot "$new_db"
DATABASE_URL=mysql://root@127.0.0.1:3306/$new_db "$work/api-after" migrate >/dev/null

measure() { # label binary database
  local label=$1 binary=$2
  export DATABASE_URL=mysql://root@127.0.0.1:3306/$3 BIND_ADDR=127.0.0.1:18090
  "$binary" serve &
  api_pid=$!
  for _ in $(seq 100); do curl -fs "http://$BIND_ADDR/healthz" >/dev/null && break; sleep 0.1; done
  wrk -t2 -c32 -d3s -s bench/list.lua "http://$BIND_ADDR" >/dev/null # warm-up
  local healthz list p99
  healthz=$(wrk -t2 -c32 -d"$duration" "http://$BIND_ADDR/healthz" | awk '/Requests\/sec/ {print $2}')
  read -r list p99 < <(wrk -t2 -c32 -d"$duration" --latency -s bench/list.lua "http://$BIND_ADDR" \
    | awk '/Requests\/sec/ {r = $2} / 99%/ {p = $2} END {print r, p}')
  kill "$api_pid"; wait "$api_pid" 2>/dev/null || true; api_pid=
  printf '%-7s | healthz %9s req/s | list %8s req/s = %5s of healthz | list p99 %s\n' "$label" \
    "$healthz" "$list" "$(awk -v a="$list" -v b="$healthz" 'BEGIN { printf "%.1f%%", 100 * a / b }')" "$p99"
}
measure before "$work/api-before" "$old_db"
measure after "$work/api-after" "$new_db"
