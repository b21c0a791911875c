#!/usr/bin/env bash
# Start-up time and idle RSS of two builds of the server, interleaved in one run, to show
# that a change leaves them where they were (the `record`/`replay` subcommands must not
# put Foundation on the server's start path).
#
#   bench/startup-rss-compare.sh BEFORE_BINARY AFTER_BINARY     # STARTS=20 by default
#
# For each binary: the median and p90 time from exec to the first 200 of
# /__emulator/health (raw-socket polls), the median idle VmRSS one second after that, and
# whether any Foundation library or libcurl (which `record` loads only for an https upstream)
# is mapped into the process.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY" >&2; exit 2; }
STARTS=${STARTS:-20}
python3 - "$STARTS" "$1" "$2" <<'PY'
import os, signal, socket, statistics, subprocess, sys, time
starts, binaries = int(sys.argv[1]), sys.argv[2:]
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
def ok(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
results = {b: {"ms": [], "rss": [], "foundation": False, "curl": False} for b in binaries}
for i in range(starts):
    for b in binaries:
        port = free_port()
        t0 = time.perf_counter()
        p = subprocess.Popen([b, "--port", str(port), "--log-level", "warn"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not ok(port):
            if time.perf_counter() - t0 > 10:
                sys.exit("no 200 within 10 s")
        results[b]["ms"].append((time.perf_counter() - t0) * 1000)
        if i < 5:
            time.sleep(1)  # idle, as the RSS row measures it
            with open(f"/proc/{p.pid}/status") as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            results[b]["rss"].append(rss / 1024)
            with open(f"/proc/{p.pid}/maps") as f:
                maps = f.read()
                results[b]["foundation"] |= "Foundation" in maps
                results[b]["curl"] |= "libcurl" in maps
        p.send_signal(signal.SIGTERM)
        p.wait()
print(f"{starts} starts each, interleaved, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
for b in binaries:
    r = results[b]
    ms = sorted(r["ms"])
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    print(f"{b}: start median {statistics.median(ms):.2f} ms, p90 {p90:.2f} ms; "
          f"idle RSS median {statistics.median(r['rss']):.1f} MiB; Foundation mapped: {r['foundation']}; "
          f"libcurl mapped: {r['curl']}")
PY
