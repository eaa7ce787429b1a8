#!/usr/bin/env bash
# Runs every test: the Rust workspace's (unit, black-box HTTP, worker and fault tests), then
# the ones that consume the API from outside, each against a whole fresh system of its own
# (scripts/with-test-system.sh): the TypeScript SDK's and the Python SDK's end-to-end tests,
# the browser test of CORS in headless Chromium, and the contract checks (redocly lint,
# schemathesis). Needs MariaDB and Redis (scripts/ensure-services.sh starts them), Node.js with
# npm and CPython 3.11; the tools they use are pinned in the repository and installed on
# first use. `--rust-only` stops after the Rust tests.
set -euo pipefail
# This machine is a developer's: the public default JWT secret may sign (never in production).
export APP_ENV=${APP_ENV:-local}
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

scripts/ensure-services.sh
step "Rust tests"
cargo test --workspace --locked
[ "${1:-}" = "--rust-only" ] && exit 0

step "binaries for the outside tests"
cargo build --bins --locked

step "TypeScript SDK, end to end"
clients/typescript/generate.sh --deps-only
scripts/with-test-system.sh -- clients/typescript/test.sh

step "Python SDK, end to end"
scripts/with-test-system.sh -- clients/python-e2e/test.sh

step "browser: CORS with the TypeScript SDK in Chromium"
clients/browser/test.sh

step "contract: redocly lint and schemathesis"
scripts/with-test-system.sh -- tools/contract/check.sh
