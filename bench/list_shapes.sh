#!/usr/bin/env bash
# Where the list's time goes: sends one request of each shape in bench/list.lua to the API,
# captures the statements it runs (MariaDB's general log, on for the moment of the requests),
# then times each statement 100× from the mysql client. Run bench/run.sh first for the release
# binary and the bulk dataset. Usage: bench/list_shapes.sh
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
export DATABASE_URL=${BENCH_DATABASE_URL:-mysql://root@127.0.0.1:3306/spacecloud_bench}
export BIND_ADDR=127.0.0.1:18080 RUST_LOG=warn
db=${DATABASE_URL##*/}
log=$(mktemp)
chmod 666 "$log"
./target/release/spacecloud-api serve &
api=$!
trap 'kill $api 2>/dev/null; mysql -uroot -e "SET GLOBAL general_log = 0"; rm -f "$log"' EXIT
for _ in $(seq 50); do curl -fs http://$BIND_ADDR/healthz >/dev/null && break; sleep 0.2; done
date=$(TZ=Asia/Seoul date -d '+5 days' +%F)
mysql -uroot -e "SET GLOBAL general_log_file = '$log'; SET GLOBAL general_log = 1"
for query in "" "district_id=3" "category_id=2&sort=price_asc" "district_id=3&date=$date" \
  "headcount=8&date=$date&slot=night" "q=%ED%8C%8C%ED%8B%B0&sort=newest" \
  "min_price=20000&max_price=60000&sort=price_desc&page=3" "facility_id=2&facility_id=5"; do
  curl -fs -o /dev/null "http://$BIND_ADDR/api/v1/spaces?$query"
done
mysql -uroot -e "SET GLOBAL general_log = 0"
grep -P '\sExecute\t' "$log" | sed -E 's/.*\sExecute\t//' | DB=$db python3 -c '
import os, subprocess, sys, time
total = 0.0
for statement in sys.stdin:
    statement = statement.strip()
    started = time.time()
    subprocess.run(["mysql", "-uroot", "-N", os.environ["DB"]], input=(statement + ";\n") * 100,
                   capture_output=True, text=True, check=True)
    ms = (time.time() - started) * 10
    total += ms
    print(f"{ms:6.2f} ms  {statement[:110]}")
print(f"{total:6.2f} ms  in all")
'
