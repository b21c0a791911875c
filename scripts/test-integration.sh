#!/usr/bin/env bash
# The suites that drive the built binary from the outside, each installing what it
# needs through its own script: DataRobot's real clients, the Python package
# (python/), the Go helper (go/), the OpenAPI validator,
# Schemathesis, the dashboard in headless chromium, and (given a release binary) the
# release tarball under env -i and the SIGKILL crash test of the state file.
# scripts/test calls this before `swift test`.
#
#   scripts/test-integration.sh DEBUG_BINARY [RELEASE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -ge 1 && -x "$1" ]] || { echo "test-integration: usage: $0 DEBUG_BINARY [RELEASE_BINARY]" >&2; exit 2; }
debug_bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
release_bin="${2:-}"
export WORKLOAD_EMULATOR_BIN="$debug_bin"

step() { printf '\n==> %s\n' "$*"; }

step "client tests: datarobot-genai drtools, datarobot SDK, requests, curl"
scripts/test-clients.sh "$debug_bin"

step "Python package: library and pytest plugin, plain and under pytest -n 4"
scripts/test-python.sh "$debug_bin"

step "Go helper: go test ./... in go/"
scripts/test-go.sh "$debug_bin"

step "OpenAPI document validates (openapi-spec-validator)"
scripts/check-openapi.sh

step "Schemathesis over every operation"
scripts/schemathesis.sh

step "dashboard in headless chromium"
scripts/install-browser-deps.sh
"${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/browser/bin/python" -m pytest -q -p no:cacheprovider tests/browser

if [[ -n "$release_bin" ]]; then
    step "release tarball (scripts/package) runs under env -i in an empty directory"
    tarball="$(scripts/package --binary "$release_bin" | tail -1)"
    scripts/test-package.sh "$tarball"

    step "crash test: 50 SIGKILLs and a SIGTERM against --state-file"
    python3 tests/persistence/crash_test.py --binary "$release_bin" --rounds 50
fi
