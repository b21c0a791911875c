#!/usr/bin/env python3
"""Acknowledgement-to-file latency of --state-file (target: within 100 ms).

Starts the emulator on a fresh state file, preloads N workloads, then makes M single
workload creations one at a time; for each, measures from the 201 to the moment the
state file (a new inode: it is renamed into place) holds the new id. Prints min,
median, p90 and max in ms. Standard library only.

Usage: bench/state-latency.py --binary .build/release/workload-emulator [--preload 1000] [--samples 20] [--pause 0.2]
"""
import argparse, http.client, json, os, statistics, subprocess, sys, tempfile, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/workload-emulator")
    ap.add_argument("--preload", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--pause", type=float, default=0.2, help="seconds between samples; make it longer than a write")
    a = ap.parse_args()
    d = tempfile.mkdtemp()
    path = os.path.join(d, "state.json")
    p = subprocess.Popen([a.binary, "--port", "0", "--state-file", path, "--log-level", "warn"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        port = int(line.strip().rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        hdr = {"Authorization": "Bearer latency", "Content-Type": "application/json"}
        def create(i):
            conn.request("POST", "/api/v2/workloads", body=json.dumps({"name": f"w{i}", "artifact": {"name": "a"}}), headers=hdr)
            r = conn.getresponse()
            body = r.read()
            assert r.status == 201, (r.status, body)
            return json.loads(body)["id"]
        for i in range(a.preload):
            create(i)
        time.sleep(1.0)  # let the preload's writes settle
        lat = []
        for k in range(a.samples):
            wid = create(a.preload + k).encode()
            t0 = time.monotonic()
            last = None
            while True:
                try:
                    ino = os.stat(path).st_ino
                    if ino != last:
                        last = ino
                        with open(path, "rb") as f:
                            if wid in f.read():
                                break
                except FileNotFoundError:
                    pass
                if time.monotonic() - t0 > 10:
                    raise SystemExit("not written within 10 s")
                time.sleep(0.0005)
            lat.append((time.monotonic() - t0) * 1000)
            time.sleep(a.pause)
        size = os.path.getsize(path)
        lat.sort()
        print(f"preload={a.preload} samples={len(lat)} file={size/1e6:.1f}MB "
              f"min={lat[0]:.1f} median={statistics.median(lat):.1f} "
              f"p90={lat[int(len(lat)*0.9)-1]:.1f} max={lat[-1]:.1f} ms")
    finally:
        p.terminate()
        p.wait(timeout=30)

if __name__ == "__main__":
    main()
