#!/usr/bin/env bash
# The README says 10,000 concurrent connections are served. Opens N connections to a release
# build (N=10000 by default) and holds them all open, sends one GET /__emulator/health on
# every one, reads every answer, then one more round on the same connections (they are
# kept alive). Prints a markdown table on stdout: how many were answered 200, the time
# to open and to answer them all, and the emulator's RSS. The client raises its own
# open-file limit to the hard limit, as the emulator does at start.
#
#   bench/connections.sh [N]                # default 10000
#   EMULATOR=path bench/connections.sh      # skip the build
#   SCRATCH_PATH=.build-me bench/connections.sh
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
build_emulator

PYTHONPATH=bench exec python3 - "$EMULATOR" "${1:-10000}" <<'EOF'
import resource, selectors, socket, sys, time
from emulator_client import Emulator, header, load

n = int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if hard < n + 100:
    sys.exit(f"open-file hard limit {hard} is below {n} connections")
emulator = Emulator(sys.argv[1])

REQUEST = b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\n\r\n"

def round_trip(socks):
    """One request on every connection at once, then every answer; returns (ok, errors)."""
    sel = selectors.DefaultSelector()
    pending = {}
    for s in socks:
        s.sendall(REQUEST)
        pending[s] = b""
        sel.register(s, selectors.EVENT_READ)
    ok = errors = 0
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                errors += 1
            else:
                pending[s] += chunk
                data = pending[s]
                end = data.find(b"\r\n\r\n")
                if end < 0:
                    continue
                length = 0
                for line in data[:end].split(b"\r\n")[1:]:
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if len(data) < end + 4 + length:
                    continue
                ok += data.startswith(b"HTTP/1.1 200")
                errors += not data.startswith(b"HTTP/1.1 200")
            sel.unregister(s)
            del pending[s]
    errors += len(pending)  # never answered within 120 s
    sel.close()
    return ok, errors

try:
    port = emulator.port
    print(header())
    print()
    idle = emulator.rss_mib()
    t0 = time.perf_counter()
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        socks.append(s)
    opened = time.perf_counter() - t0
    held = emulator.rss_mib()
    t1 = time.perf_counter()
    ok1, err1 = round_trip(socks)
    first = time.perf_counter() - t1
    busy = emulator.rss_mib()
    t2 = time.perf_counter()
    ok2, err2 = round_trip(socks)
    second = time.perf_counter() - t2
    alive = emulator.proc.poll() is None
    print("| connections open at once | answered 200 (round 1 / round 2) | errors | open all | answer all, round 1 / 2 | emulator RSS idle → all open → after answering |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {n:,} | {ok1:,} / {ok2:,} | {err1 + err2} | {opened:.2f} s | {first:.2f} s / {second:.2f} s | {idle:.1f} → {held:.1f} → {busy:.1f} MiB |")
    print()
    print(f"emulator still running: {'yes' if alive else 'no'}; load after: {load()}")
    for s in socks:
        s.close()
finally:
    emulator.stop()
EOF
