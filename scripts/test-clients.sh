#!/usr/bin/env bash
# Runs the client tests (tests/clients/): DataRobot's own Workload client
# (datarobot-genai[drtools]), the official datarobot SDK, the hello-world tutorial's
# plain-requests flow and a curl script, each against a real emulator process.
#
#   scripts/test-clients.sh [BINARY] [-- extra pytest arguments]
#
# BINARY defaults to $WORKLOAD_EMULATOR_BIN, else .build/debug/workload-emulator (or
# $SCRATCH_PATH/debug/workload-emulator); when that default is missing it is built with
# `swift build --product workload-emulator`. The client libraries are installed into
# $WORKLOAD_EMULATOR_VENVS/clients (default .build/venvs/clients) first by
# scripts/install-client-deps.sh (a no-op when they are already there).
# Tests that need an emulator feature that has not landed are strict xfails, so the
# exit code is pytest's: 0 unless a test that should pass fails, or one of those passes.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
if [[ $# -gt 0 && "$1" != "--" ]]; then binary="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift

if [[ -z "$binary" ]]; then
    scratch="${SCRATCH_PATH:-.build}"
    binary="${WORKLOAD_EMULATOR_BIN:-$scratch/debug/workload-emulator}"
    if [[ ! -x "$binary" && -z "${WORKLOAD_EMULATOR_BIN:-}" ]]; then
        echo "test-clients: building $binary"
        swift build --scratch-path "$scratch" --product workload-emulator
    fi
fi
[[ -x "$binary" ]] || { echo "test-clients: no emulator binary at $binary" >&2; exit 2; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"

scripts/install-client-deps.sh
command -v jq >/dev/null || { echo "test-clients: jq is needed by tests/clients/curl_flow.sh (apt-get install jq)" >&2; exit 2; }

echo "test-clients: $binary"
WORKLOAD_EMULATOR_BIN="$binary" exec "${WORKLOAD_EMULATOR_VENVS:-.build/venvs}/clients/bin/python" -m pytest \
    -c tests/clients/pytest.ini -p no:cacheprovider tests/clients "$@"
