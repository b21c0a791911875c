#!/usr/bin/env bash
# Installs the real client libraries the client tests (tests/clients/) run against into
# a virtualenv outside the source tree, $WORKLOAD_EMULATOR_VENVS/clients (default
# .build/venvs/clients): datarobot-genai[drtools], datarobot,
# requests and pytest, at the versions pinned in tests/clients/requirements.txt, with
# every transitive package pinned by tests/clients/constraints.txt.
#
#   scripts/install-client-deps.sh             # create the venv if missing, install if needed
#   scripts/install-client-deps.sh --refreeze  # reinstall from requirements.txt alone and
#                                              # rewrite constraints.txt from the result
#
# Idempotent: .client-deps.sha256 in the venv records the hash of both files and the Python
# version; when it matches, nothing is downloaded and the script prints one "ok" line.
# PYTHON picks the interpreter that creates the venv (default python3; 3.11 is what the
# pins were made with).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/clients"
REQ=tests/clients/requirements.txt
CONSTRAINTS=tests/clients/constraints.txt
STAMP="$VENV/.client-deps.sha256"

refreeze=false
[[ "${1:-}" == "--refreeze" ]] && refreeze=true

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "install-client-deps: creating $VENV ($("$PYTHON" --version 2>&1))"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
fi

want=$( { cat "$REQ" "$CONSTRAINTS"; "$VENV/bin/python" --version 2>&1; } | sha256sum | cut -d' ' -f1)
if ! $refreeze && [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    echo "install-client-deps: ok $VENV ($(grep -E '^[a-z]' "$REQ" | paste -sd' ' -))"
    exit 0
fi

if $refreeze; then
    echo "install-client-deps: installing $REQ without constraints, then rewriting $CONSTRAINTS"
    tmp=$(mktemp)
    grep -v '^-c ' "$REQ" > "$tmp"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r "$tmp"
    rm -f "$tmp"
    {
        echo "# Every package the client tests' virtualenv holds, pinned (pip freeze of a clean install of"
        echo "# requirements.txt on $("$VENV/bin/python" --version 2>&1), $(date -u +%F)), so that a new release of a transitive"
        echo "# dependency cannot change what the tests exercise. Regenerate with scripts/install-client-deps.sh --refreeze."
        "$VENV/bin/python" -m pip freeze --exclude pip --exclude setuptools --exclude wheel
    } > "$CONSTRAINTS"
    want=$( { cat "$REQ" "$CONSTRAINTS"; "$VENV/bin/python" --version 2>&1; } | sha256sum | cut -d' ' -f1)
else
    echo "install-client-deps: installing $REQ into $VENV (pip; a minute or more on a cold cache)"
    "$VENV/bin/python" -m pip install --progress-bar off -r "$REQ"
fi

# Fail here, not in the middle of a test run, if the client the tests are about is absent.
"$VENV/bin/python" -c 'from datarobot_genai.drtools.core.clients.datarobot_workload import WorkloadApiClient; import datarobot, requests, pytest' \
    || { echo "install-client-deps: WorkloadApiClient does not import after install" >&2; exit 1; }
echo "$want" > "$STAMP"
echo "install-client-deps: installed"
