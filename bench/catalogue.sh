#!/usr/bin/env bash
# The catalogue benchmark in one go (docs/benchmarks.md, "Catalogue"): release build, the bulk
# dataset (10,000 spaces), one API process, wrk -t2 -c32 on the same machine. For /healthz,
# each shape of bench/list.lua on its own, a guest's usual search, a district search of 100 a
# page, the list mix and the detail, it prints req/s, p50, p99 and the share of /healthz's
# req/s measured in the same run, then the API's resident memory. With `mixed`, it also runs
# the list and the detail while bookings and likes are written, and reports read p99 under
# writes. `API_BIN=path` measures that build instead of this tree's (to compare with an older
# commit on the same data; give it a database of its own with BENCH_DATABASE_URL). Needs wrk and curl. Usage: bench/catalogue.sh [duration=15s] [mixed]
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
duration=${1:-15s}
mode=${2:-}
export DATABASE_URL=${BENCH_DATABASE_URL:-mysql://root@127.0.0.1:3306/spacecloud_bench}
export BIND_ADDR=127.0.0.1:18080 RUST_LOG=warn QUEUE_PREFIX=bench
# Two cores serve best with few queries at a time; see docs/benchmarks.md (pool size).
export DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-4}
export MAX_WAITING_HOLDS=1000000 RATE_LIMIT_BOOKING_PER_MINUTE=0
db=${DATABASE_URL##*/}
api=${API_BIN:-./target/release/spacecloud-api}
[ -n "${API_BIN:-}" ] || cargo build --release -q -p spacecloud-api
$api seed --bulk >/dev/null
$api serve &
pid=$!
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "http://$BIND_ADDR/healthz" >/dev/null && break; sleep 0.2; done
base=http://$BIND_ADDR
date_in() { TZ=Asia/Seoul date -d "+$1 days" +%F; }

# One fixed request per wrk run: `wrk URL` repeats it.
shapes=(
  "list: no filter|/api/v1/spaces"
  "list: district|/api/v1/spaces?district_id=3"
  "list: category, price_asc|/api/v1/spaces?category_id=2&sort=price_asc"
  "list: district and date|/api/v1/spaces?district_id=3&date=$(date_in 5)"
  "list: headcount, date, night|/api/v1/spaces?headcount=8&date=$(date_in 5)&slot=night"
  "list: keyword, newest|/api/v1/spaces?q=%ED%8C%8C%ED%8B%B0&sort=newest"
  "list: price range, page 3|/api/v1/spaces?min_price=20000&max_price=60000&sort=price_desc&page=3"
  "list: two facilities|/api/v1/spaces?facility_id=2&facility_id=5"
  "guest search|/api/v1/spaces?category_id=2&headcount=6&date=$(date_in 7)&sort=price_asc"
  "district search, 100 a page|/api/v1/spaces?district_id=1&category_id=2&headcount=10&date=$(date_in 7)&sort=price_asc&per_page=100"
)

# Prints "req/s p50 p99" of one wrk run; extra arguments go to wrk.
run() {
  wrk -t2 -c32 -d"$duration" --latency "$@" | awk '
    /Requests\/sec/ {r = $2} / 50%/ {p50 = $2} / 99%/ {p99 = $2} END {print r, p50, p99}'
}
row() { # label req/s p50 p99
  printf '| %-30s | %10s | %8s | %8s | %6s |\n' "$1" "$2" "$3" "$4" \
    "$(awk -v a="$2" -v b="$healthz" 'BEGIN { printf "%.1f %%", 100 * a / b }')"
}

# Warm the buffer pool and the connection pool before measuring.
wrk -t2 -c32 -d3s -s bench/list.lua "$base" >/dev/null
wrk -t2 -c32 -d3s -s bench/detail.lua "$base" >/dev/null
read -r healthz p50 p99 < <(run "$base/healthz")
printf '| %-30s | %10s | %8s | %8s | %6s |\n' request req/s p50 p99 share
printf '| %-30s | %10s | %8s | %8s | %6s |\n' --- ---: ---: ---: ---:
row "/healthz" "$healthz" "$p50" "$p99"
for shape in "${shapes[@]}"; do
  label=${shape%%|*} path=${shape#*|}
  curl -fs -o /dev/null "$base$path" || { echo "$label: $path does not answer 200" >&2; exit 1; }
  read -r rate p50 p99 < <(run "$base$path")
  row "$label" "$rate" "$p50" "$p99"
done
read -r rate p50 p99 < <(run -s bench/list.lua "$base")
row "list mix (bench/list.lua)" "$rate" "$p50" "$p99"
read -r rate p50 p99 < <(run -s bench/detail.lua "$base")
row "detail (bench/detail.lua)" "$rate" "$p50" "$p99"
echo "API resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

if [ "$mode" = mixed ]; then
  # Reads while bookings (bench/booking.lua, 4 connections) and likes (bench/like.lua, 4
  # connections) are written: the list's and the detail's p99 under writes, next to the write
  # rates. Every booking and like changes what the catalogue holds.
  export TOKENS=$work/tokens OPTIONS=$work/options
  $api token --load-users 2000 >"$TOKENS"
  mysql -uroot -N "$db" -e "SELECT o.space_id, o.id FROM space_options o JOIN spaces s ON s.id = o.space_id
    WHERE o.slot = 'day' AND s.deleted_at IS NULL AND s.min_count <= 2 AND s.max_count >= 2
    ORDER BY o.space_id" >"$OPTIONS"
  export FIRST_DAY=$(date_in 70) STRIDE=1 OFFSET=0
  wrk -t1 -c4 -d"$duration" --latency -s bench/booking.lua "$base" >"$work/bookings" &
  bookings=$!
  wrk -t1 -c4 -d"$duration" --latency -s bench/like.lua "$base" >"$work/likes" &
  likes=$!
  wrk -t1 -c12 -d"$duration" --latency -s bench/detail.lua "$base" >"$work/details" &
  details=$!
  read -r list p50 list99 < <(wrk -t1 -c12 -d"$duration" --latency -s bench/list.lua "$base" \
    | awk '/Requests\/sec/ {r = $2} / 50%/ {p50 = $2} / 99%/ {p99 = $2} END {print r, p50, p99}')
  wait $bookings $likes $details
  summary() { awk '/Requests\/sec/ {r = $2} / 99%/ {p99 = $2} /^RESULT/ {res = $0} END {print r " req/s, p99 " p99 (res ? " (" res ")" : "")}' "$1"; }
  echo "under writes: list $list req/s, p99 $list99; detail $(summary "$work/details")"
  echo "writes: bookings $(summary "$work/bookings")"
  echo "writes: likes $(summary "$work/likes")"
fi
