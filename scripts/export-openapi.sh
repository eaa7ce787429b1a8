#!/usr/bin/env bash
# Regenerates the committed spec from the code; CI fails when the two differ.
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."
cargo run --quiet -p spacecloud-api -- openapi > openapi/openapi.json
