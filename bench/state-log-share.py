"""Share of the state document taken by the workloads' log lines.

usage: state-log-share.py BINARY N

Starts BINARY on a manual clock, creates N workloads, advances 60 s (every one running,
its lifecycle lines written), reads GET /__emulator/state and prints its size, the bytes of
the `logs` arrays, their share and the lines per workload. Standard library only.
"""
import http.client, json, os, subprocess, sys, tempfile, time

binary, n = sys.argv[1], int(sys.argv[2])
port_file = os.path.join(tempfile.mkdtemp(), "port")
p = subprocess.Popen([binary, "--port", "0", "--port-file", port_file, "--clock", "manual", "--log-level", "warn"])
try:
    for _ in range(400):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)  # waiting for the process to listen
    c = http.client.HTTPConnection("127.0.0.1", int(open(port_file).read()))

    def send(method, path, body=None):
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Authorization": "Bearer alice", "Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.read()

    for i in range(n):
        send("POST", "/api/v2/workloads", {"name": f"w{i}", "artifact": {"name": f"a{i}"}})
    send("POST", "/__emulator/clock/advance", {"seconds": 60})
    _, doc = send("GET", "/__emulator/state")
    workloads = json.loads(doc)["workloads"]
    logs = sum(len(json.dumps(w.get("logs", []), separators=(",", ":"))) for w in workloads)
    lines = sum(len(w.get("logs", [])) for w in workloads)
    print(f"state {len(doc)} bytes, log lines {logs} bytes ({100 * logs / len(doc):.1f} %), "
          f"{lines / max(1, n):.1f} lines a workload")
finally:
    p.terminate()
    p.wait()
