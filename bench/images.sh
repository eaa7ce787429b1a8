#!/usr/bin/env bash
# Image pipeline benchmark. (1) Throughput of one worker on 12-megapixel JPEGs: queue 60
# photos with the worker stopped, start it, time until all are ready. (2) p99 of
# POST /api/v1/spaces with 3 photos while the worker is busy. Needs wrk and ImageMagick
# (`convert`) to make the fixture. Usage: bench/images.sh [photos=60] [wrk duration=15s]
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
photos=${1:-60}
duration=${2:-15s}
# The worker's CPU priority; 10 leaves the API the cores it needs when both share a host.
WORKER_NICE=${WORKER_NICE:-10}
export DATABASE_URL=${BENCH_DATABASE_URL:-mysql://root@127.0.0.1:3306/spacecloud_bench}
export BIND_ADDR=127.0.0.1:18080 RUST_LOG=warn QUEUE_PREFIX=bench-images
export MEDIA_DIR=$(mktemp -d) PHOTO=${PHOTO:-target/bench-12mp-3mb.jpg}
# One benchmark user uploads far more than a person does in a minute.
export RATE_LIMIT_UPLOADS_PER_MINUTE=0
db=${DATABASE_URL##*/}
cargo build --release -q -p spacecloud-api -p spacecloud-worker
[ -f "$PHOTO" ] || /usr/bin/convert -seed 7 -size 4000x3000 plasma:fractal -attenuate 0.1 +noise Gaussian -quality 90 "$PHOTO"
echo "fixture: $(/usr/bin/identify -format '%wx%h' "$PHOTO"), $(du -h "$PHOTO" | cut -f1)"
./target/release/spacecloud-api seed >/dev/null
export TOKEN=$(./target/release/spacecloud-api token --user host)
export CATEGORY=1 DISTRICT=1
redis-cli --scan --pattern "$QUEUE_PREFIX:*" | xargs -r redis-cli del >/dev/null
mysql -uroot "$db" -e "UPDATE space_images SET status = 'failed' WHERE status = 'processing'"
./target/release/spacecloud-api serve &
api=$!
worker=
trap 'kill $api ${worker:-} 2>/dev/null; rm -rf "$MEDIA_DIR"' EXIT
for _ in $(seq 50); do curl -fs http://$BIND_ADDR/healthz >/dev/null && break; sleep 0.2; done

for _ in $(seq $((photos / 3))); do
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" \
    -F title=Bench -F category_id=1 -F district_id=1 -F address=Seoul -F max_count=10 \
    -F price_day=10000 -F "images=@$PHOTO" -F "images=@$PHOTO" -F "images=@$PHOTO" \
    http://$BIND_ADDR/api/v1/spaces
done
pending() { mysql -uroot -N "$db" -e "SELECT COUNT(*) FROM space_images WHERE status = 'processing'"; }
echo "queued: $(pending) photos"
start=$(date +%s.%N)
nice -n "$WORKER_NICE" ./target/release/spacecloud-worker &
worker=$!
while [ "$(pending)" -gt 0 ]; do sleep 0.2; done
end=$(date +%s.%N)
echo "== one worker: $photos photos of 12 MP in $(echo "$end - $start" | bc) s =" \
  "$(echo "scale=2; $photos / ($end - $start)" | bc) photos/s"

echo "== POST /api/v1/spaces with 3 photos while the worker is busy =="
wrk -t1 -c2 -d"$duration" --latency -s bench/create_space.lua http://$BIND_ADDR
echo "still processing after the run: $(pending) photos"
