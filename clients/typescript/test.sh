#!/usr/bin/env bash
# Compiles the SDK, the README example and the end-to-end tests with tsc (strict), checks that
# the README's example is the compiled file and that src/schema.ts matches the spec, then runs
# the tests with Node's test runner against the system in API_BASE_URL and KAKAO_STUB_URL.
# Usage, from the repository root:
#   scripts/with-test-system.sh -- clients/typescript/test.sh
set -euo pipefail
cd "$(dirname "$0")"

./generate.sh --check

# The README's only ```ts block must be examples/readme.ts, byte for byte.
blocks=$(grep -c '^```ts$' README.md || true)
[ "$blocks" = 1 ] || { echo "README.md must have exactly one \`\`\`ts block (has $blocks)" >&2; exit 1; }
if ! awk '/^```ts$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' README.md \
  | cmp -s - examples/readme.ts; then
  echo "README.md's \`\`\`ts block differs from examples/readme.ts: copy the file into it" >&2
  exit 1
fi

rm -rf build
node_modules/.bin/tsc -p tsconfig.json

: "${API_BASE_URL:?run through scripts/with-test-system.sh}"
: "${KAKAO_STUB_URL:?run through scripts/with-test-system.sh}"
node --test --test-reporter=spec build/test/*.test.js
