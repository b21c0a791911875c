#!/usr/bin/env bash
# List-page cost with many workloads in one sandbox.
#
#   bench/list-pages.sh                      # 100,000 workloads, pages of 100
#   WORKLOADS=10000 bench/list-pages.sh
#   SCRATCH_PATH=.build-me bench/list-pages.sh   # build in another folder than .build
#   EMULATOR=/path/to/workload-emulator bench/list-pages.sh   # skip the build
#
# Starts the release emulator (manual clock), creates WORKLOADS workloads over one
# keep-alive connection (reporting creates/s), then times GET /api/v2/workloads for
# page 1 and page 999 (offset 0 and offset 99,800 with limit=100; scaled down for
# smaller totals), REPEAT times each, interleaved, and prints the medians and p99s.
# Also times a filtered page (search=), which scans by design, for contrast, and an
# 8-hour clock advance over all of them and over 10,000 fresh ones (a target in bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."

WORKLOADS=${WORKLOADS:-100000}
REPEAT=${REPEAT:-200}
LIMIT=${LIMIT:-100}

source bench/lib.sh
build_emulator
make_workdir
start_server list "$EMULATOR" --clock manual

python3 - "$EMU_PORT" "$WORKLOADS" "$REPEAT" "$LIMIT" "$EMU_PID" <<'PY'
import http.client, json, sys, time, statistics

port, total, repeat, limit, pid = (int(a) for a in sys.argv[1:])
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}

def call(method, path, body=None):
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data

def rss_mib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

body = json.dumps({"name": "bench", "artifact": {"name": "a"}}).encode()
t0 = time.perf_counter()
for i in range(total):
    status, _ = call("POST", "/api/v2/workloads", body)
    assert status == 201, status
elapsed = time.perf_counter() - t0
print(f"created {total} workloads in {elapsed:.1f} s over one connection "
      f"({total / elapsed:,.0f}/s, Python client bound); RSS {rss_mib():.0f} MiB")

last_page = min(999, total // limit)
offsets = {"page 1": 0, f"page {last_page}": (last_page - 1) * limit}
paths = {name: f"/api/v2/workloads?offset={off}&limit={limit}" for name, off in offsets.items()}
paths["search (scan)"] = f"/api/v2/workloads?search=nomatch&limit={limit}"
times = {name: [] for name in paths}
for _ in range(repeat):
    for name, path in paths.items():
        t = time.perf_counter()
        status, data = call("GET", path)
        times[name].append((time.perf_counter() - t) * 1e6)
        assert status == 200, status
print(f"{'request':<16} {'median µs':>10} {'p99 µs':>10}   (limit={limit}, {repeat} requests each, total {total})")
for name, ts in times.items():
    ts.sort()
    print(f"{name:<16} {statistics.median(ts):>10.0f} {ts[int(len(ts) * 0.99) - 1]:>10.0f}")

def advance(path, label):
    t = time.perf_counter()
    status, data = call("POST", path, json.dumps({"seconds": 28800}).encode())
    ms = (time.perf_counter() - t) * 1000
    fired = json.loads(data)["firedCount"]
    print(f"advance 8 h, {label}: {fired} actions fired in {ms:.0f} ms (request included); RSS {rss_mib():.0f} MiB")

advance("/__emulator/clock/advance", f"{total} workloads")
# The target's case: 10,000 fresh workloads in their own sandbox (3 transitions + expiry each).
for i in range(10000):
    status, _ = call("POST", "/sandboxes/adv10k/api/v2/workloads", body)
    assert status == 201, status
advance("/sandboxes/adv10k/__emulator/clock/advance", "10,000 workloads")
PY
