#!/usr/bin/env bash
# Generates the Python SDK in clients/python from openapi/openapi.json with a pinned
# openapi-python-client (see python-generator-requirements.txt and python-generator.yaml).
# The generator runs in a virtualenv, clients/.venv-python (git-ignored), made on first use and
# remade when the pins change. The same spec always gives byte-identical output, so CI can check
# for drift with `git diff --exit-code clients/`. Any warning from the generator fails the run.
# Usage: clients/generate-python.sh        (PYTHON may name a CPython 3.11 interpreter)
set -euo pipefail
clients=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$clients")
spec="$root/openapi/openapi.json"
config="$clients/python-generator.yaml"
requirements="$clients/python-generator-requirements.txt"
venv="$clients/.venv-python"
out="$clients/python"
python=${PYTHON:-python3.11}

# The virtualenv, (re)made when missing, broken or made from other pins.
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] \
  || ! "$venv/bin/python" -c '' 2>/dev/null; then
  "$python" -c 'import sys, platform
assert platform.python_implementation() == "CPython" and sys.version_info[:2] == (3, 11), \
    f"CPython 3.11 is needed, not {platform.python_implementation()} {sys.version}"'
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-virtualenv -r "$requirements"
  echo "$want" >"$stamp"
fi

# Generate into a scratch directory beside the output, and replace the output only on success.
# The generator's post-hooks run ruff from PATH, so the virtualenv's bin goes first.
scratch=$(mktemp -d "$clients/.python-gen.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
log="$scratch/generator.log"
status=0
(
  cd "$scratch"
  export PATH="$venv/bin:$PATH" RUFF_NO_CACHE=true NO_COLOR=1 TERM=dumb COLUMNS=200
  openapi-python-client generate --path "$spec" --config "$config" --meta poetry \
    --output-path "$scratch/python" --fail-on-warning
) >"$log" 2>&1 || status=$?
cat "$log"
# Only "Generating <dir>" is expected; anything else (warnings, skipped hooks, errors) fails.
if [ "$status" -ne 0 ] || grep -v '^Generating ' "$log" | grep -qiE 'warn|error|skipp|not in path|fail'; then
  echo "generate-python.sh: the generator failed or warned (exit $status); clients/python is unchanged" >&2
  exit 1
fi
[ -f "$scratch/python/spacecloud_client/models/order.py" ] || {
  echo "generate-python.sh: the generated client has no Order model" >&2; exit 1; }
rm -rf "$scratch/python/.ruff_cache"
find "$scratch/python" -name __pycache__ -type d -prune -exec rm -rf {} +

rm -rf "$out"
mv "$scratch/python" "$out"
echo "generated $out"
