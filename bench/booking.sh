#!/usr/bin/env bash
# Booking benchmark (docs/benchmarks.md, "Booking"). Each run measures, one after the other:
# /healthz, holds of packages over distinct slots at 32 connections, holds of runs of hours
# (hourly options) over distinct hours at 32 connections, and a 100-connection race for one
# slot, every request as one of 2,000 users. Three set-ups:
#   one   one API process
#   slow  one API process confined to one core (taskset -c 0): a slower machine
#   two   two API processes sharing the load (each wrk half of the connections)
# Every rate is also printed as a share of /healthz in the same run. It counts 5xx answers and
# deadlock retries (the API's db_transaction_retries_total and MariaDB's Innodb_deadlocks).
# Needs wrk and curl. Usage: bench/booking.sh [duration=10s] [runs=1] ["one slow two"]
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
duration=${1:-10s}
runs=${2:-1}
setups=${3:-one slow two}
export DATABASE_URL=${BENCH_DATABASE_URL:-mysql://root@127.0.0.1:3306/spacecloud_bench}
export RUST_LOG=warn DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-32} QUEUE_PREFIX=bench
# Each of the 2,000 benchmark users places many holds a minute: the per-user bounds of a real
# guest (holds, booking rate) would turn the measured requests into 409s and 429s.
export MAX_WAITING_HOLDS=1000000 RATE_LIMIT_BOOKING_PER_MINUTE=0
db=${DATABASE_URL##*/}
api=./target/release/spacecloud-api
cargo build --release -q -p spacecloud-api
$api seed --bulk >/dev/null

work=$(mktemp -d)
pids=()
stop_apis() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'stop_apis; rm -rf "$work"' EXIT

export TOKENS=$work/tokens OPTIONS=$work/options HOURLY=$work/hourly
$api token --load-users 2000 >"$TOKENS"
mysql -uroot -N "$db" -e "SELECT o.space_id, o.id FROM space_options o JOIN spaces s ON s.id = o.space_id
  WHERE o.slot = 'day' AND s.deleted_at IS NULL AND s.min_count <= 2 AND s.max_count >= 2
  ORDER BY o.space_id" >"$OPTIONS"
mysql -uroot -N "$db" -e "SELECT o.space_id, o.id, s.open_hour, s.close_hour, s.min_hours
  FROM space_options o JOIN spaces s ON s.id = o.space_id
  WHERE o.slot = 'hourly' AND s.deleted_at IS NULL AND s.min_count <= 2 AND s.max_count >= 2
  ORDER BY o.space_id" >"$HOURLY"
read -r SPACE OPTION < <(head -n 1 "$OPTIONS")
export SPACE OPTION
export FIRST_DAY=$(TZ=Asia/Seoul date -d '+70 days' +%F) DAY=$(TZ=Asia/Seoul date -d '+300 days' +%F)
# Hours on dates the packages' run does not reach (a package and a run of hours may share one).
export HOURS_FIRST_DAY=$(TZ=Asia/Seoul date -d '+200 days' +%F)

# Every run books free slots: forget the orders of earlier runs.
forget_bench_orders() {
  mysql -uroot "$db" -e "
    DELETE c FROM hour_claims c JOIN orders o ON o.id = c.order_id WHERE o.booker_name IN ('Bench', 'Race');
    DELETE e FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.booker_name IN ('Bench', 'Race');
    DELETE FROM orders WHERE booker_name IN ('Bench', 'Race');"
}

start_api() { # port [command prefix…]
  local port=$1
  shift
  BIND_ADDR=127.0.0.1:$port "$@" $api serve &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return
    sleep 0.1
  done
  echo "the API on port $port did not start" >&2
  exit 1
}

retries() { # ports…: db_transaction_retries_total summed over the API processes
  local total=0 port value
  for port; do
    value=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^db_transaction_retries_total/ {print $2}')
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

deadlocks() {
  mysql -uroot -N -e "SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'" | awk '{print $2}'
}

# load SCRIPT CONNECTIONS PORTS…: one wrk per API process, run at once, connections split
# evenly; prints one merged line: req/s summed, p50/p99 the worst, status counts summed.
load() {
  local script=$1 connections=$2
  shift 2
  local processes=$# threads=$((2 / $# > 0 ? 2 / $# : 1)) i=0 port wrk_pids=() out
  out=$(mktemp -d -p "$work")
  for port; do
    STRIDE=$((threads * processes)) OFFSET=$((i * threads)) \
      wrk -t"$threads" -c$((connections / processes)) -d"$duration" -s "bench/$script" \
      "http://127.0.0.1:$port" >"$out/$i" &
    wrk_pids+=($!)
    i=$((i + 1))
  done
  wait "${wrk_pids[@]}"
  cat "$out"/* | grep '^RESULT' | awk '
    { for (f = 2; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
      rps += v["requests"] / v["seconds"]
      if (v["p50_ms"] > p50) p50 = v["p50_ms"]
      if (v["p99_ms"] > p99) p99 = v["p99_ms"]
      ok += v["ok"]; conflict += v["conflict"]; server += v["server_error"]
      other += v["other"] + v["socket_errors"] }
    END { printf "%.0f %.2f %.2f %d %d %d %d\n", rps, p50, p99, ok, conflict, server, other }'
}

share() { awk -v a="$1" -v b="$h_rps" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

printf '%-5s %3s | %8s | %28s | %-24s | %28s | %-24s | %28s | %-20s | %7s %9s\n' setup run \
  "healthz" "package holds req/s (share) p50/p99" "2xx/409/5xx/other" \
  "hour holds req/s (share) p50/p99" "2xx/409/5xx/other" "race req/s (share) p50/p99" \
  "race 201/409/5xx/oth" retries deadlocks
for setup in $setups; do
  for run in $(seq "$runs"); do
    forget_bench_orders
    case $setup in
      one) start_api 18080; ports=(18080) ;;
      slow) start_api 18080 taskset -c 0; ports=(18080) ;;
      two) start_api 18080; start_api 18081; ports=(18080 18081) ;;
      *) echo "unknown set-up $setup" >&2; exit 2 ;;
    esac
    deadlocks_before=$(deadlocks)
    read -r h_rps _ _ _ _ _ _ < <(load healthz.lua 32 "${ports[@]}")
    read -r b_rps b_p50 b_p99 b_ok b_409 b_5xx b_other < <(load booking.lua 32 "${ports[@]}")
    read -r o_rps o_p50 o_p99 o_ok o_409 o_5xx o_other < <(load booking_hours.lua 32 "${ports[@]}")
    read -r r_rps r_p50 r_p99 r_ok r_409 r_5xx r_other < <(load race.lua 100 "${ports[@]}")
    retried=$(retries "${ports[@]}")
    deadlocked=$(($(deadlocks) - deadlocks_before))
    stop_apis
    share() { awk -v a="$1" -v b="$h_rps" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

printf '%-5s %3s | %8s | %7s (%6s) %5s/%6sms | %-24s | %7s (%6s) %5s/%6sms | %-24s | %7s (%6s) %5s/%6sms | %-20s | %7s %9s\n' \
      "$setup" "$run" "$h_rps" "$b_rps" "$(share "$b_rps")" "$b_p50" "$b_p99" \
      "$b_ok/$b_409/$b_5xx/$b_other" "$o_rps" "$(share "$o_rps")" "$o_p50" "$o_p99" \
      "$o_ok/$o_409/$o_5xx/$o_other" "$r_rps" "$(share "$r_rps")" "$r_p50" "$r_p99" \
      "$r_ok/$r_409/$r_5xx/$r_other" "$retried" "$deadlocked"
  done
done
