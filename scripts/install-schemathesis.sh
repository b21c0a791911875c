#!/usr/bin/env bash
# Installs the OpenAPI tools that check the emulator's served document into the
# virtualenv $WORKLOAD_EMULATOR_VENVS/schemathesis (default .build/venvs/schemathesis,
# outside the source tree), apart from the client tests' so that neither set of pins
# constrains the other:
#   schemathesis           property-based API tests (scripts/schemathesis.sh)
#   openapi-spec-validator the document itself (scripts/check-openapi.sh)
#
# Idempotent: .stamp in the venv records the pins and the Python version; when
# it matches, nothing is downloaded and the script prints one "ok" line.
# PYTHON picks the interpreter (default python3; the pins were checked on 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/schemathesis"
PINS=(schemathesis==4.32.5 openapi-spec-validator==0.9.0)
STAMP="$VENV/.stamp"

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "install-schemathesis: creating $VENV ($("$PYTHON" --version 2>&1))"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
fi

want=$(printf '%s\n' "${PINS[@]}" "$("$VENV/bin/python" --version 2>&1)" | sha256sum | cut -d' ' -f1)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    echo "install-schemathesis: ok $VENV (${PINS[*]})"
    exit 0
fi

echo "install-schemathesis: installing ${PINS[*]} into $VENV (pip; about a minute on a cold cache)"
"$VENV/bin/python" -m pip install -q "${PINS[@]}"
"$VENV/bin/schemathesis" --version >/dev/null
"$VENV/bin/python" -c 'import openapi_spec_validator' \
    || { echo "install-schemathesis: openapi-spec-validator does not import" >&2; exit 1; }
echo "$want" > "$STAMP"
echo "install-schemathesis: installed"
