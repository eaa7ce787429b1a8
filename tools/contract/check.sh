#!/usr/bin/env bash
# Checks the contract against a running server (run under scripts/with-test-system.sh, which
# exports API_BASE_URL and DATABASE_URL):
#  1. `redocly lint` with the recommended rules (less those redocly.yaml turns off, with why);
#  2. schemathesis over every operation, as the seeded demo guest, with the four checks the
#     contract promises, 100 examples per operation and a fixed seed: zero failures.
# Tools are pinned here (package-lock.json, requirements.txt) and installed on first use.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${API_BASE_URL:?run under scripts/with-test-system.sh}"

if [ ! -x "$here/node_modules/.bin/redocly" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
venv="$here/.venv"
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

echo "== redocly lint (the served document) =="
served=$(mktemp --suffix=.json)
trap 'rm -f "$served"' EXIT
curl -fsS "$API_BASE_URL/openapi.json" -o "$served"
# (the export ends with a newline, the served body does not)
[ "$(cat "$served")" = "$(cat "$root/openapi/openapi.json")" ] || {
  echo "the served spec differs from openapi/openapi.json" >&2
  exit 1
}
"$here/node_modules/.bin/redocly" lint "$served" --config "$root/redocly.yaml" --max-problems 50

echo "== schemathesis =="
token=$("$root/target/debug/spacecloud-api" token --user guest)
"$venv/bin/schemathesis" run "$served" \
  --url "$API_BASE_URL" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
  --seed 1 \
  --generation-database none \
  --no-color
