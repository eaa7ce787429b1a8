#!/usr/bin/env bash
# Booking benchmark: holds over distinct slots at 32 connections, then a 100-connection race
# for one slot. Uses the bulk dataset in its own database. Usage: bench/booking.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
export DATABASE_URL=${BENCH_DATABASE_URL:-mysql://root@127.0.0.1:3306/spacecloud_bench}
export BIND_ADDR=127.0.0.1:18080 RUST_LOG=warn DATABASE_MAX_CONNECTIONS=32 QUEUE_PREFIX=bench
db=${DATABASE_URL##*/}
cargo build --release -q -p spacecloud-api
./target/release/spacecloud-api seed --bulk >/dev/null
# Forget the holds of earlier runs so every run books free slots.
mysql -uroot "$db" -e "DELETE c FROM slot_claims c JOIN orders o ON o.id = c.order_id WHERE o.booker_name IN ('Bench', 'Race');
  DELETE e FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.booker_name IN ('Bench', 'Race');
  DELETE FROM orders WHERE booker_name IN ('Bench', 'Race');"
export TOKEN=$(./target/release/spacecloud-api token --user guest)
export OPTIONS=$(mktemp)
mysql -uroot -N "$db" -e "SELECT o.space_id, o.id FROM space_options o JOIN spaces s ON s.id = o.space_id
  WHERE o.slot = 'day' AND s.deleted_at IS NULL AND s.min_count <= 2 AND s.max_count >= 2 ORDER BY o.space_id" > "$OPTIONS"
export FIRST_DAY=$(TZ=Asia/Seoul date -d '+70 days' +%F)
./target/release/spacecloud-api serve &
api=$!
trap 'kill $api; rm -f "$OPTIONS"' EXIT
for _ in $(seq 50); do curl -fs http://$BIND_ADDR/healthz >/dev/null && break; sleep 0.2; done
echo "== holds over distinct slots, 32 connections =="
wrk -t2 -c32 -d"$duration" --latency -s bench/booking.lua http://$BIND_ADDR
read -r SPACE OPTION < <(head -n 1 "$OPTIONS")
export SPACE OPTION DAY=$(TZ=Asia/Seoul date -d '+300 days' +%F)
echo "== 100 connections racing for one slot =="
wrk -t2 -c100 -d"$duration" --latency -s bench/race.lua http://$BIND_ADDR
