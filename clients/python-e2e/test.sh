#!/usr/bin/env bash
# Runs the Python SDK's end-to-end tests against a running system. Run it inside one:
#   scripts/with-test-system.sh -- clients/python-e2e/test.sh [PYTEST ARGS…]
# It needs API_BASE_URL and KAKAO_STUB_URL (exported by with-test-system.sh). It makes the
# virtualenv clients/python-e2e/.venv (git-ignored) on first use, reinstalls when
# requirements.txt or the generated client's pyproject.toml change, and runs pytest.
# PYTHON may name a CPython 3.11 interpreter.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
python=${PYTHON:-python3.11}
: "${API_BASE_URL:?run this inside scripts/with-test-system.sh}"
: "${KAKAO_STUB_URL:?run this inside scripts/with-test-system.sh}"
[ -f "$here/../python/pyproject.toml" ] || {
  echo "clients/python is missing: run clients/generate-python.sh" >&2; exit 1; }

stamp="$venv/.requirements.sha256"
want=$(cat "$here/requirements.txt" "$here/../python/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] \
  || ! "$venv/bin/python" -c 'import spacecloud_client, pytest' 2>/dev/null; then
  "$python" -c 'import sys, platform
assert platform.python_implementation() == "CPython" and sys.version_info[:2] == (3, 11), \
    f"CPython 3.11 is needed, not {platform.python_implementation()} {sys.version}"'
  rm -rf "$venv"
  "$python" -m venv "$venv"
  (cd "$here" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input --require-virtualenv -r requirements.txt)
  echo "$want" >"$stamp"
fi

cd "$here"
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
