#!/usr/bin/env bash
# Regenerates the committed spec from the code; CI fails when the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet -p spacecloud-api -- openapi > openapi/openapi.json
