#!/usr/bin/env bash
# Writes the OpenAPI document the code produces to openapi/openapi.json, and its table of
# operations, statuses and problem codes into docs/api.md (between the `operations` markers).
# CI fails when either differs from what is committed.
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
cargo run --quiet -p spacecloud-api -- openapi > openapi/openapi.json
table=$(mktemp)
trap 'rm -f "$table"' EXIT
cargo run --quiet -p spacecloud-api -- operations > "$table"
python3 - "$table" <<'PY'
import re, sys
table = open(sys.argv[1]).read()
path = "docs/api.md"
text = open(path).read()
start, end = "<!-- operations:start -->\n", "<!-- operations:end -->"
if start not in text or end not in text:
    sys.exit("docs/api.md lacks the operations markers")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + start + table + end + tail)
PY
