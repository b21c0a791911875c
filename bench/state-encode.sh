#!/bin/sh
# Times the state document's encoding in a release build, for each N given.
# Usage: bench/state-encode.sh [N ...]   (default: 100 1000 10000 100000)
set -e
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-persist-release}
swift build -c release --scratch-path "$SCRATCH" --build-tests -Xswiftc -enable-testing >/dev/null
for n in ${@:-100 1000 10000 100000}; do
    STATE_BENCH_N=$n swift test -c release --scratch-path "$SCRATCH" --skip-build -Xswiftc -enable-testing \
        --filter StateEncodeBenchTests 2>&1 | grep 'state-encode:'
done
