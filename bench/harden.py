"""Load generators for bench/harden.sh that are not wrk loops.

  harden.py PORT fill SANDBOX N            create N workloads, pipelined in batches of 100
  harden.py PORT first-id SANDBOX          id of the first workload of SANDBOX
  harden.py PORT slow PID PAGE HEALTH      20 connections x 64 KiB of pipelined GET PAGE,
                                           never read; then GET HEALTH on fresh connections
                                           for 5 s while they are held. Prints
                                           "p50_ms p99_ms max_ms rss_kib peak_kib" (PID's
                                           tree: nginx's workers are counted).
  harden.py PORT during SANDBOX SECONDS OTHER ID
                                           POST /__emulator/clock/advance in SANDBOX on one
                                           connection; meanwhile GET /api/v2/workloads/ID in
                                           OTHER, round robin over 4 connections, until it
                                           answers. Prints "advance_ms gets p50_ms p99_ms
                                           max_ms slowest_at_ms". SECONDS 0: no advance,
                                           the same GETs for 1 s.
"""
import http.client, json, os, socket, statistics, subprocess, sys, time

import emulator_client  # the pipelined fill every Python benchmark uses (this directory is on sys.path)

port, command, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
H = {"Authorization": "Bearer bench", "Content-Type": "application/json"}


def call(conn, method, path, body=None, sandbox="default"):
    conn.request(method, path, body=None if body is None else json.dumps(body).encode(),
                 headers=dict(H, **{"X-Emulator-Sandbox": sandbox}))
    r = conn.getresponse()
    return r.status, r.read()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values))) - 1))]


def tree_kib(pid, field):
    total = 0
    for p in [pid] + [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]:
        for line in open(f"/proc/{p}/status"):
            if line.startswith(field + ":"):
                total += int(line.split()[1])
    return total


if command == "fill":
    emulator_client.fill(port, args[0], int(args[1]))
elif command == "first-id":
    conn = http.client.HTTPConnection("127.0.0.1", port)
    s, d = call(conn, "GET", "/api/v2/workloads?limit=1", sandbox=args[0])
    assert s == 200, (s, d)
    print(json.loads(d)["data"][0]["id"])
elif command == "slow":
    pid, page, health = int(args[0]), args[1], args[2]
    request = f"GET {page} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bench\r\n\r\n".encode()
    burst = request * (64 * 1024 // len(request) + 1)
    held = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(5)
        try:
            s.sendall(burst)
        except socket.timeout:
            pass
        held.append(s)
    probe = f"GET {health} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    times, end = [], time.time() + 5
    while time.time() < end:
        t = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=120) as c:
            c.sendall(probe)
            assert c.recv(16).startswith(b"HTTP/1.1 200")
        times.append((time.perf_counter() - t) * 1000)
        time.sleep(0.02)
    rss, peak = tree_kib(pid, "VmRSS"), tree_kib(pid, "VmHWM")
    print(f"{statistics.median(times):.3f} {pct(times, 99):.3f} {max(times):.3f} {rss} {peak}")
    for s in held:
        s.close()
elif command == "during":
    # The advance runs in its own process (curl): a Python thread waiting for its
    # answer would share the interpreter lock with the GET timer, and the 200 KB
    # answer read at its end would show up as a slow GET.
    sandbox, seconds, other, wid = args[0], float(args[1]), args[2], args[3]
    gets = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(4)]
    for c in gets:  # connect (and so pick a loop) before the advance starts
        call(c, "GET", f"/api/v2/workloads/{wid}", sandbox=other)
    start = time.perf_counter()
    advance = None
    if seconds > 0:
        advance = subprocess.Popen(
            ["curl", "-fsS", "-o", "/dev/null", "-w", "%{time_total}", "-X", "POST",
             "-H", "Content-Type: application/json", "-H", f"X-Emulator-Sandbox: {sandbox}",
             "-d", json.dumps({"seconds": seconds}), f"http://127.0.0.1:{port}/__emulator/clock/advance"],
            stdout=subprocess.PIPE)
    times, at, i = [], [], 0
    # Without an advance (SECONDS 0): the same GETs for 1 s, the floor of the figures.
    while (advance.poll() is None) if advance else (time.perf_counter() - start < 1.0):
        # Every GET sent while the advance runs counts, also one it held up until its end.
        t = time.perf_counter()
        s, _ = call(gets[i % 4], "GET", f"/api/v2/workloads/{wid}", sandbox=other)
        assert s == 200
        times.append((time.perf_counter() - t) * 1000)
        at.append((t - start) * 1000)
        i += 1
    if advance:
        out, _ = advance.communicate()
        assert advance.returncode == 0, advance.returncode
        ms = float(out) * 1000
    else:
        ms = 0.0
    times = times or [0.0]
    at = at or [0.0]
    worst = max(range(len(times)), key=lambda k: times[k])
    # The last two: when the slowest GET began (ms after the advance was sent), to
    # tell a stall at the advance's start or end from one in the middle.
    print(f"{ms:.1f} {len(times)} {statistics.median(times):.3f} {pct(times, 99):.3f} {max(times):.3f}"
          f" {at[worst]:.1f}")
