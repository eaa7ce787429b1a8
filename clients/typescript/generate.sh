#!/usr/bin/env bash
# Regenerates the TypeScript SDK's types, src/schema.ts, from the committed spec
# (openapi/openapi.json) with the tool versions locked in package-lock.json. The same spec always
# gives a byte-identical file, so CI can drift-check with
#   scripts/generate-clients.sh && git diff --exit-code clients/
# Never edit src/schema.ts by hand. Fails if openapi-typescript prints a warning.
#
# Usage: generate.sh              regenerate src/schema.ts (installs dependencies if needed)
#        generate.sh --check      fail if src/schema.ts is not what the spec generates
#        generate.sh --deps-only  only install the locked dependencies if needed
set -euo pipefail
cd "$(dirname "$0")"
spec=../../openapi/openapi.json
target=src/schema.ts

# `npm ci` unless node_modules was installed from this very package.json and lockfile.
stamp=node_modules/.spacecloud-lock.sha256
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
fi

case "${1:-}" in
  --deps-only) exit 0 ;;
  --check) out=$(mktemp --suffix=.ts) ;;
  "") out=$(mktemp --suffix=.ts) ;;
  *) echo "usage: $0 [--check|--deps-only]" >&2; exit 2 ;;
esac
log=$(mktemp)
trap 'rm -f "$out" "$log"' EXIT

NO_COLOR=1 FORCE_COLOR=0 node_modules/.bin/openapi-typescript "$spec" --output "$out" >"$log" 2>&1 \
  || { cat "$log" >&2; echo "generate.sh: openapi-typescript failed" >&2; exit 1; }
if grep -Eqi 'warn|⚠|error' "$log"; then
  cat "$log" >&2
  echo "generate.sh: openapi-typescript printed a warning (above); fix the spec" >&2
  exit 1
fi

if [ "${1:-}" = --check ]; then
  if ! cmp -s "$out" "$target"; then
    echo "generate.sh: $target is stale; run scripts/generate-clients.sh" >&2
    exit 1
  fi
  echo "$target matches $spec" >&2
else
  cp "$out" "$target"
  echo "generated $target from $spec ($(grep -m1 -o 'openapi-typescript [0-9.]*' "$log"))" >&2
fi
