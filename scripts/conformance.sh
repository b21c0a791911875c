#!/usr/bin/env bash
# The contract conformance check by hand: records every API response of the Swift
# suites and the client suites (tests/clients), optionally Schemathesis too, then checks
# them against contract/workload-api-11.5.json and prints one line per operation
# (`ok`/`FAIL`, statuses seen as `code:count`, `!n` for n that failed, documented 4xx
# never seen) followed by each mismatch: operation, status, JSON path, what differs.
# scripts/test runs the same check as its last step.
#
#   scripts/conformance.sh [--swift-only] [--schemathesis] [--keep DIR]
#     --swift-only    only the Swift suites (quick; coverage of some 4xx will be short)
#     --schemathesis  also record a Schemathesis run (several minutes)
#     --keep DIR      record into DIR and keep it (default: a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."

clients=true schemathesis=false dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --swift-only) clients=false ;;
        --schemathesis) schemathesis=true ;;
        --keep) shift; dir="$1" ;;
        *) echo "conformance: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done

build_flags=()
[[ -n "${SCRATCH_PATH:-}" ]] && build_flags=(--scratch-path "$SCRATCH_PATH")

if [[ -z "$dir" ]]; then
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
else
    rm -rf "$dir" && mkdir -p "$dir"
fi
dir="$(cd "$dir" && pwd)"
export WORKLOAD_EMULATOR_RECORD_RESPONSES="$dir"

swift build --build-tests "${build_flags[@]}"
bin="$(swift build --show-bin-path "${build_flags[@]}")/workload-emulator"

status=0
echo "==> Swift suites (recording into $dir)"
swift test --skip-build "${build_flags[@]}" --skip ContractConformance >"$dir/swift-test.log" 2>&1 \
    || { status=1; echo "conformance: swift test failed (log: $dir/swift-test.log)"; tail -5 "$dir/swift-test.log"; }
if $clients; then
    echo "==> client suites"
    scripts/test-clients.sh "$bin" -q || status=1
fi
if $schemathesis; then
    echo "==> Schemathesis"
    WORKLOAD_EMULATOR_BIN="$bin" scripts/schemathesis.sh || status=1
fi

echo "==> contract conformance"
# pipefail: the pipeline fails when swift test does.
swift test --skip-build "${build_flags[@]}" --filter ContractConformance 2>&1 \
    | grep -vE '^(◇|↳ Testing Library|↳ Target Platform|Test Suite|	 Executed)' || status=1
exit $status
