#!/usr/bin/env bash
# Regenerates every API client committed under clients/ from openapi/openapi.json.
# Deterministic: CI drift-checks with
#   scripts/generate-clients.sh && git diff --exit-code clients/
# Each client has its own section below; a section calls that client's own script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# --- TypeScript (clients/typescript): openapi-typescript types + openapi-fetch ---------------
echo "== TypeScript client ==" >&2
"$root/clients/typescript/generate.sh"

# --- Python (clients/python): openapi-python-client ------------------------------------------
echo "== Python client ==" >&2
"$root/clients/generate-python.sh"
