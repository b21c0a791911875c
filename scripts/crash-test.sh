#!/bin/sh
# Kills the emulator with SIGKILL 50 times while clients mutate it, restarting it on
# the same --state-file each time, then checks that a SIGTERM loses nothing
# (tests/persistence/crash_test.py). Builds the binary first: release by default,
# since the state-file latency it exercises is a release-build promise.
# Usage: scripts/crash-test.sh [--rounds N] [--seed N]
#   CONFIG=debug|release (default release), SCRATCH_PATH (default .build)
set -eu
cd "$(dirname "$0")/.."
scratch="${SCRATCH_PATH:-.build}"
config="${CONFIG:-release}"
swift build -c "$config" --scratch-path "$scratch" --product workload-emulator >/dev/null
exec python3 tests/persistence/crash_test.py --binary "$scratch/$config/workload-emulator" "$@"
