#!/usr/bin/env bash
# Times one sandbox's state document (what --state-file writes) for each N given: a release build with
# N running draft workloads (manual clock), then `GET /__emulator/state`, best of 3,
# from the request to the last byte. That route serves `World.snapshotBytes()`, the
# encoder the state file is written with, so this is the encoding plus the loopback
# transfer. Prints a markdown table on stdout; asserts nothing (a benchmark, not a test).
#
#   bench/state-encode.sh [N ...]           # default: 100 1000 10000 100000
#   EMULATOR=path bench/state-encode.sh     # skip the build
#   SCRATCH_PATH=.build-me bench/state-encode.sh
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
build_emulator
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100 1000 10000 100000)

PYTHONPATH=bench exec python3 - "$EMULATOR" "${sizes[@]}" <<'EOF'
import sys, time
from emulator_client import Emulator, header, load

emulator = Emulator(sys.argv[1], "--clock", "manual")
try:
    print(header())
    print()
    print("| workloads | document | GET /__emulator/state, best of 3 |")
    print("|---:|---:|---:|")
    for n in [int(a) for a in sys.argv[2:]]:
        sandbox = f"enc-{n}"
        emulator.fill(sandbox, n)
        emulator.call("POST", "/__emulator/clock/advance", sandbox, {"seconds": 10})  # all running
        best, size = None, 0
        for _ in range(3):
            t = time.perf_counter()
            size = len(emulator.call("GET", "/__emulator/state", sandbox))
            ms = (time.perf_counter() - t) * 1000
            best = ms if best is None else min(best, ms)
        print(f"| {n:,} | {size / 1e6:.1f} MB | {best:.1f} ms |")
        emulator.call("DELETE", f"/__emulator/sandboxes/{sandbox}")
    print()
    print(f"load after: {load()}")
finally:
    emulator.stop()
EOF
