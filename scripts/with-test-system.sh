#!/usr/bin/env bash
# Runs a command against a whole system of its own: a fresh MariaDB database with the demo
# data, its own Redis key prefix and media directory, the Kakao stub, the worker and the API,
# all on free ports; everything is stopped and dropped afterwards. The command sees:
#   API_BASE_URL   the API (e.g. http://127.0.0.1:41234)
#   KAKAO_STUB_URL the stub; PUT /_stub/tokens/{token} {"id":…,"nickname":…,"email":…}
#                  registers a Kakao access token
#   DATABASE_URL   the system's database (for a test that must look behind the API)
# Usage: scripts/with-test-system.sh [--cors-origin ORIGIN] -- COMMAND [ARGS…]
# Binaries are built by the caller (cargo build --bins), so nothing compiles here.
set -euo pipefail
export APP_ENV=${APP_ENV:-local}
root=$(cd "$(dirname "$0")/.." && pwd)
cors_origin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cors-origin) cors_origin=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--cors-origin ORIGIN] -- COMMAND" >&2; exit 2; }

bin="$root/target/debug"
for binary in spacecloud-api spacecloud-worker kakao-stub; do
  [ -x "$bin/$binary" ] || { echo "$bin/$binary is missing: run cargo build --bins" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
name="sc_system_$(python3 -c 'import uuid; print(uuid.uuid4().hex)')"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS \`$name\`" 2>/dev/null || true
  redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" --scan --pattern "$name:*" 2>/dev/null \
    | xargs -r redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" DEL >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mysql -h 127.0.0.1 -u root -e "CREATE DATABASE \`$name\`"
stub_port=$(free_port)
api_port=$(free_port)
worker_port=$(free_port)
export DATABASE_URL="mysql://root@127.0.0.1:3306/$name"
export QUEUE_PREFIX="$name"
export MEDIA_DIR="$work/media"
export BIND_ADDR="127.0.0.1:$api_port"
export MEDIA_BASE_URL="http://127.0.0.1:$api_port/media"
export WORKER_HTTP_ADDR="127.0.0.1:$worker_port"
export KAKAO_API_BASE="http://127.0.0.1:$stub_port"
export KAKAO_AUTH_BASE="http://127.0.0.1:$stub_port"
export JOB_POLL_MS=${JOB_POLL_MS:-50}
# Generated clients and fuzzers send many requests from one address in a minute.
export RATE_LIMIT_SIGN_IN_PER_MINUTE=0 RATE_LIMIT_BOOKING_PER_MINUTE=0 RATE_LIMIT_UPLOADS_PER_MINUTE=0
[ -z "$cors_origin" ] || export CORS_ALLOWED_ORIGINS="$cors_origin"
export RUST_LOG=${RUST_LOG:-warn}

"$bin/kakao-stub" "127.0.0.1:$stub_port" >"$work/stub.log" 2>&1 & pids+=($!)
"$bin/spacecloud-api" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
"$bin/spacecloud-api" seed >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; exit 1; }
"$bin/spacecloud-worker" >"$work/worker.log" 2>&1 & pids+=($!)
"$bin/spacecloud-api" serve >"$work/api.log" 2>&1 & pids+=($!)

export API_BASE_URL="http://127.0.0.1:$api_port"
export KAKAO_STUB_URL="http://127.0.0.1:$stub_port"
for _ in $(seq 1 200); do
  if curl -fsS "$API_BASE_URL/readyz" >/dev/null 2>&1 \
    && curl -fsS "http://127.0.0.1:$worker_port/readyz" >/dev/null 2>&1; then
    ready=1; break
  fi
  sleep 0.1
done
[ "${ready:-}" = 1 ] || { echo "the system did not become ready" >&2; tail -n 30 "$work"/*.log >&2; exit 1; }

status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- the system's logs (last lines) ---" >&2
  tail -n 40 "$work/api.log" "$work/worker.log" >&2 || true
fi
exit "$status"
