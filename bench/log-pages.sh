#!/usr/bin/env bash
# Workload log page cost with a full log: one running workload whose log holds
# its 10,000-line cap, read a page at a time.
#
#   bench/log-pages.sh                        # 12,000 invokes (the ring is full), pages of 100
#   INVOKES=20000 REPEAT=500 bench/log-pages.sh
#   SCRATCH_PATH=.build-me bench/log-pages.sh # build in another folder than .build
#   EMULATOR=/path/to/workload-emulator bench/log-pages.sh   # skip the build
#
# Starts the release emulator (manual clock), creates a workload, advances it to
# running, invokes it INVOKES times over one keep-alive connection (one access line
# each), then times GET /api/v2/otel/workload/{id}/logs/ REPEAT times per case,
# interleaved, and prints p50 and p99 of the client's round trip: the newest page, a
# page deep in the log, a level filter (scans every line), a body-text filter (scans
# every line) and a time window (bisected).
set -euo pipefail
cd "$(dirname "$0")/.."

INVOKES=${INVOKES:-12000}
REPEAT=${REPEAT:-300}
LIMIT=${LIMIT:-100}

source bench/lib.sh
build_emulator
make_workdir
start_server logs "$EMULATOR" --clock manual

python3 - "$EMU_PORT" "$INVOKES" "$REPEAT" "$LIMIT" <<'PY'
import http.client, json, sys, time, statistics

port, invokes, repeat, limit = (int(a) for a in sys.argv[1:])
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}

def call(method, path, body=None):
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()

spec = {"containerGroups": [{"name": "default", "containers": [{"name": "app", "imageUri": "bench:1", "port": 8080}]}]}
status, data = call("POST", "/api/v2/workloads", json.dumps({"name": "logs", "artifact": {"name": "a", "spec": spec}}))
assert status == 201, data
wid = json.loads(data)["id"]
call("POST", "/__emulator/clock/advance", json.dumps({"seconds": 5}))
t0 = time.perf_counter()
for i in range(invokes):
    if i % 1000 == 0:
        call("POST", "/__emulator/clock/advance", json.dumps({"seconds": 60}))
    status, _ = call("GET", f"/api/v2/endpoints/workloads/{wid}/predict?i={i}")
    assert status == 200
print(f"{invokes} invokes in {time.perf_counter() - t0:.2f} s", file=sys.stderr)

base = f"/api/v2/otel/workload/{wid}/logs/?limit={limit}"
status, data = call("GET", base)
page = json.loads(data)
total = page["totalCount"]
assert status == 200 and page["count"] == limit, (status, page.get("count"))
print(f"log lines kept: {total}", file=sys.stderr)
cases = [
    ("newest page", base),
    (f"offset {total // 2}", base + f"&offset={total // 2}"),
    ("level=error (no match: scans all)", base + "&level=error"),
    ("includes=i=42 (scans all)", base + "&includes=i%3D42"),
    ("startTime..endTime window (2,000 lines)", base + "&startTime=2026-01-01T00:06:00Z&endTime=2026-01-01T00:08:00Z"),
]
times = {name: [] for name, _ in cases}
for _ in range(repeat):
    for name, path in cases:
        t = time.perf_counter()
        status, _ = call("GET", path)
        times[name].append((time.perf_counter() - t) * 1000)
        assert status == 200
print(f"| case (limit {limit}, {total} lines kept) | p50 ms | p99 ms |")
print("|---|---|---|")
for name, _ in cases:
    xs = sorted(times[name])
    print(f"| {name} | {statistics.median(xs):.3f} | {xs[int(len(xs) * 0.99) - 1]:.3f} |")
PY
