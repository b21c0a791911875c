#!/usr/bin/env bash
# JSON bodies with many keys: the cost of parsing an object of N keys, for
# this tree and a baseline build, in one run, interleaved.
#
#   bench/json-keys.sh                                   # builds both; BASE=main
#   EMULATOR=path BASELINE=path bench/json-keys.sh       # skip the builds
#   KEYS="10000 100000" ROUNDS=7 bench/json-keys.sh
#
# The body is `{"k0":0,"k1":1,…}` sent as PUT /__emulator/lifecycle: the route parses
# the whole document, then refuses the first key with a small 422, so the time is the
# parse (plus one round trip). Each cell is the median of ROUNDS requests, each on a
# fresh connection (the baseline's slow parses outlast the other's idle timeout), timed
# from the first byte sent to the last byte received.
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-"1000 10000 100000"}
ROUNDS=${ROUNDS:-5}
BASE=${BASE:-main}
SCRATCH=${SCRATCH_PATH:-.build-bench}

if [[ -z "${EMULATOR:-}" ]]; then
    scripts/build-release --scratch-path "$SCRATCH" >&2
    EMULATOR="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/workload-emulator"
fi
if [[ -z "${BASELINE:-}" ]]; then
    base_dir=$(mktemp -d)
    git archive "$BASE" | tar -x -C "$base_dir"
    (cd "$base_dir" && scripts/build-release --scratch-path "$base_dir/.build" >&2)
    BASELINE="$(cd "$base_dir" && swift build -c release --scratch-path "$base_dir/.build" --show-bin-path)/workload-emulator"
fi

exec python3 - "$EMULATOR" "$BASELINE" "$ROUNDS" $KEYS <<'PY'
import os, socket, statistics, subprocess, sys, tempfile, time

emulator, baseline, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = [int(n) for n in sys.argv[4:]]

def start(binary):
    port_file = tempfile.mktemp()
    p = subprocess.Popen([binary, "--port", "0", "--port-file", port_file, "--clock", "manual",
                          "--log-level", "warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return p, int(open(port_file).read())
        time.sleep(0.01)
    raise SystemExit("emulator did not start")

def body(n):
    return ("{" + ",".join('"k%d":%d' % (i, i) for i in range(n)) + "}").encode()

def once(port, payload):
    sock = socket.create_connection(("127.0.0.1", port))
    head = ("PUT /__emulator/lifecycle HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % len(payload)).encode()
    t0 = time.perf_counter()
    sock.sendall(head + payload)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    h, _, rest = data.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in h.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += sock.recv(65536)
    elapsed = (time.perf_counter() - t0) * 1000
    sock.close()
    status = int(h.split(b" ")[1])
    if status != 422:
        raise SystemExit("unexpected status %d" % status)
    return elapsed

servers = {name: start(binary) for name, binary in (("this tree", emulator), ("baseline", baseline))}
print("load average: %s" % open("/proc/loadavg").read().split()[:3])
print("| keys | body | this tree, median ms | per 1,000 keys | baseline, median ms | per 1,000 keys |")
print("|---|---|---|---|---|---|")
try:
    for n in sizes:
        payload = body(n)
        times = {name: [] for name in servers}
        for _ in range(rounds):
            for name in servers:
                times[name].append(once(servers[name][1], payload))
        row = ["%d" % n, "%.2f MiB" % (len(payload) / 1048576)]
        for name in ("this tree", "baseline"):
            m = statistics.median(times[name])
            row += ["%.1f" % m, "%.3f" % (m / n * 1000)]
        print("| " + " | ".join(row) + " |", flush=True)
finally:
    for p, _ in servers.values():
        p.terminate()
PY
