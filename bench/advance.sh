#!/usr/bin/env bash
# `POST /__emulator/clock/advance {"seconds": 28800}` over N running draft workloads
# (N=100000 by default; bench/run-all.sh row 6 times it at 10,000),
# each round in a fresh manual-clock sandbox of a release build: every draft's TTL
# fires in that one advance. Prints the round trip of each round and the median.
#
#   bench/advance.sh [N]                    # default 100000; ROUNDS=3
#   EMULATOR=path bench/advance.sh          # skip the build
#   SCRATCH_PATH=.build-me bench/advance.sh
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
build_emulator

PYTHONPATH=bench exec python3 - "$EMULATOR" "${1:-100000}" "${ROUNDS:-3}" <<'EOF'
import json, statistics, sys, time
from emulator_client import Emulator, header, load

n, rounds = int(sys.argv[2]), int(sys.argv[3])
emulator = Emulator(sys.argv[1], "--clock", "manual")
try:
    print(header())
    print()
    print("| round | workloads | fired | advance round trip |")
    print("|---:|---:|---:|---:|")
    times = []
    for r in range(1, rounds + 1):
        sandbox = f"adv-{r}"
        emulator.fill(sandbox, n)
        emulator.call("POST", "/__emulator/clock/advance", sandbox, {"seconds": 10})  # submitted → running
        total = json.loads(emulator.call("GET", "/api/v2/workloads?limit=1", sandbox))["totalCount"]
        t = time.perf_counter()
        answer = json.loads(emulator.call("POST", "/__emulator/clock/advance", sandbox, {"seconds": 28800}))
        ms = (time.perf_counter() - t) * 1000
        times.append(ms)
        print(f"| {r} | {total:,} | {answer['firedCount']:,} | {ms:.0f} ms |")
        emulator.call("DELETE", f"/__emulator/sandboxes/{sandbox}")
    print()
    print(f"median {statistics.median(times):.0f} ms (request round trip included); load after: {load()}")
finally:
    emulator.stop()
EOF
