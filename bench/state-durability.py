#!/usr/bin/env python3
"""The state log of --state-file (README, Durability), at a given world size.

1. latency: starts the emulator (manual clock) on a fresh state file, preloads N
   workloads over a few keep-alive connections, then makes --samples single creates one
   at a time. In `batch`, each sample runs from the 201 to the moment the log file holds
   the new id (the writer hands a record to the kernel as soon as it is there; the
   syncer's fsync follows). In `sync`, each sample is the whole request, since its 201
   leaves only after the fsync.
2. --startup: SIGTERM, then times restarts on the same files (exec to the listening line,
   printed once the snapshot is read and the logs are replayed).
3. --throughput: `wrk -c C` with bench/create-workloads.lua against the running emulator.
4. --keep DIR: leave the state files in DIR (not a temporary directory). --from DIR: skip
   the preload and the samples and time --startup restarts of --binary, each on a fresh
   copy of the files in DIR (so two builds can be timed on the same files).

Usage: bench/state-durability.py --binary .build/release/workload-emulator --preload 10000
       [--durability batch|sync] [--samples 50] [--startup 3] [--throughput 50] [--keep DIR]
       bench/state-durability.py --binary B --from DIR --startup 5
Standard library only (and wrk for --throughput).
"""
import argparse, http.client, json, os, shutil, statistics, subprocess, sys, tempfile, threading, time


def start(binary, path, durability):
    p = subprocess.Popen([binary, "--port", "0", "--state-file", path, "--log-level", "warn", "--clock", "manual",
                          "--durability", durability], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("workload-emulator listening on"):
        raise SystemExit(f"did not start: {line!r} {p.stderr.read()!r}")
    return p, int(line.strip().rsplit(":", 1)[1])


def creator(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    hdr = {"Authorization": "Bearer latency", "Content-Type": "application/json"}

    def create(i):
        conn.request("POST", "/api/v2/workloads", body=json.dumps({"name": f"w{i}", "artifact": {"name": "a"}}),
                     headers=hdr)
        r = conn.getresponse()
        body = r.read()
        assert r.status == 201, (r.status, body)
        return json.loads(body)["id"]
    return create


def logs(d, base):
    names = [n for n in os.listdir(d) if n.startswith(base + ".") and n.endswith(".log")]
    return sorted(names, key=lambda n: int(n[len(base) + 1:-4]))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/workload-emulator")
    ap.add_argument("--preload", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--pause", type=float, default=0.02)
    ap.add_argument("--durability", default="batch")
    ap.add_argument("--startup", type=int, default=0, help="restarts to time")
    ap.add_argument("--throughput", type=int, default=0, help="wrk connections")
    ap.add_argument("--keep", help="directory for the state files (kept)")
    ap.add_argument("--from", dest="source", help="time start-ups on copies of this directory's state files")
    a = ap.parse_args()
    if a.source:
        startup_from(a)
        return
    d = a.keep or tempfile.mkdtemp()
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "state.json")
    p, port = start(a.binary, path, a.durability)
    try:
        t0 = time.monotonic()
        threads = []
        per = (a.preload + 3) // 4
        for k in range(4):
            c = creator(port)
            lo, hi = k * per, min(a.preload, (k + 1) * per)
            threads.append(threading.Thread(target=lambda c=c, lo=lo, hi=hi: [c(i) for i in range(lo, hi)]))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        preload_s = time.monotonic() - t0
        time.sleep(1.0)  # allow-sleep: let the preload's compaction settle before sampling
        create = creator(port)
        lat = []
        for k in range(a.samples):
            if a.durability == "sync":
                t0 = time.monotonic()
                create(a.preload + k)
                lat.append((time.monotonic() - t0) * 1000)
            else:
                wid = create(a.preload + k).encode()
                t0 = time.monotonic()
                while True:
                    names = logs(d, "state.json")
                    with open(os.path.join(d, names[-1]), "rb") as f:
                        f.seek(max(0, os.path.getsize(os.path.join(d, names[-1])) - 65536))
                        if wid in f.read():
                            break
                    if time.monotonic() - t0 > 10:
                        raise SystemExit("not written within 10 s")
                lat.append((time.monotonic() - t0) * 1000)
            time.sleep(a.pause)  # allow-sleep: samples apart, as single changes
        files = sorted(os.listdir(d))
        size = sum(os.path.getsize(os.path.join(d, f)) for f in files)
        what = "request incl. fsync" if a.durability == "sync" else "201 -> in the log"
        print(f"{a.durability} preload={a.preload} ({preload_s:.1f} s) samples={len(lat)} state={size / 1e6:.1f}MB "
              f"in {len(files)} files; {what}: p50={statistics.median(lat):.2f} p99={pct(lat, 0.99):.2f} "
              f"max={max(lat):.2f} ms")
        if a.throughput:
            lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "create-workloads.lua")
            out = subprocess.run(["wrk", "-t2", f"-c{a.throughput}", "-d5s", "--latency", "-s", lua,
                                  f"http://127.0.0.1:{port}/api/v2/workloads"], capture_output=True, text=True).stdout
            rps = [l for l in out.splitlines() if "Requests/sec" in l or "50%" in l or "99%" in l or "Non-2xx" in l]
            print(f"{a.durability} wrk -c{a.throughput}: " + "; ".join(x.strip() for x in rps))
        if a.startup:
            p.terminate()
            p.wait(timeout=60)
            times = []
            for _ in range(a.startup):
                t0 = time.monotonic()
                p, port = start(a.binary, path, a.durability)
                times.append(time.monotonic() - t0)
                p.terminate()
                p.wait(timeout=60)
            files = sorted(os.listdir(d))
            print(f"start-up with {a.preload} workloads in {files}: "
                  + ", ".join(f"{t:.2f}" for t in times) + " s")
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait(timeout=60)


def startup_from(a):
    files = sorted(os.listdir(a.source))
    size = sum(os.path.getsize(os.path.join(a.source, f)) for f in files)
    times = []
    for _ in range(max(1, a.startup)):
        d = tempfile.mkdtemp()
        try:
            for f in files:
                shutil.copy(os.path.join(a.source, f), d)
            t0 = time.monotonic()
            p, _ = start(a.binary, os.path.join(d, "state.json"), a.durability)
            times.append(time.monotonic() - t0)
            p.terminate()
            p.wait(timeout=120)
        finally:
            shutil.rmtree(d)
    print(f"start-up of {a.binary} on {files} ({size / 1e6:.1f} MB): " + ", ".join(f"{t:.2f}" for t in times)
          + f" s (median {statistics.median(times):.2f})")


if __name__ == "__main__":
    main()
