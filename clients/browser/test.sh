#!/usr/bin/env bash
# The browser test: the TypeScript SDK in a static page (src/, type-checked by tsc --strict and
# bundled by esbuild into dist/), served from an allowed origin on its own port, driven in
# Debian's headless Chromium by playwright-core against a whole fresh system.
# Usage, from the repository root, with the binaries built (cargo build --bins):
#   clients/browser/test.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# Debian's Chromium; playwright-core never downloads a browser.
if [ ! -x "$CHROMIUM" ]; then
  echo "installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium
fi
"$CHROMIUM" --version 2>/dev/null

cd "$here"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund
node_modules/.bin/tsc -p tsconfig.json
node build.mjs

# The page's port first: the API must be started with its origin allowed.
PAGE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PAGE_PORT
cd "$root"
scripts/with-test-system.sh --cors-origin "http://127.0.0.1:$PAGE_PORT" -- \
  node --test --test-reporter=spec clients/browser/test/browser.test.mjs
