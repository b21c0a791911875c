"""What the Python benchmarks share: start a release emulator on port 0, call it, and
fill a sandbox with draft workloads over one pipelined connection. Standard library only.
"""

import http.client
import json
import os
import socket
import subprocess
import tempfile
import time


def load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def header() -> str:
    return f"load average (1/5/15 min) at start: {load()}; {os.cpu_count()} cores; {time.strftime('%H:%MZ', time.gmtime())}"


def fill(port: int, sandbox: str, n: int) -> None:
    """n creates (inline draft artifact each), pipelined in batches of 100."""
    body = json.dumps({"name": "bench", "artifact": {"name": "a"}}).encode()
    one = (f"POST /api/v2/workloads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bench\r\n"
           f"Content-Type: application/json\r\nX-Emulator-Sandbox: {sandbox}\r\n"
           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    s = socket.create_connection(("127.0.0.1", port))
    buf, left = b"", n
    while left:
        batch = min(100, left)
        s.sendall(one * batch)
        got = 0
        while got < batch:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                buf += s.recv(1 << 20)
                continue
            head = buf[:end].decode("latin-1")
            if not head.startswith("HTTP/1.1 201"):
                raise SystemExit(f"create: {head}")
            length = int(next(l.split(":", 1)[1] for l in head.split("\r\n")
                              if l.lower().startswith("content-length:")))
            while len(buf) < end + 4 + length:
                buf += s.recv(1 << 20)
            buf = buf[end + 4 + length:]
            got += 1
        left -= batch
    s.close()


class Emulator:
    """One emulator process (`--port 0 --port-file`, `--log-level warn`)."""

    def __init__(self, binary: str, *flags: str):
        work = tempfile.mkdtemp(prefix="emulator-bench.")
        port_file = os.path.join(work, "port")
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--port-file", port_file, "--log-level", "warn", *flags],
            stdout=subprocess.DEVNULL)
        for _ in range(2000):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            if self.proc.poll() is not None:
                raise SystemExit(f"emulator exited with {self.proc.returncode}")
            time.sleep(0.01)  # allow-sleep: waiting for another process to start
        self.port = int(open(port_file).read())
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)

    def rss_mib(self) -> float:
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def call(self, method: str, path: str, sandbox: str = "default", body=None) -> bytes:
        self.conn.request(method, path, body=None if body is None else json.dumps(body).encode(),
                          headers={"Authorization": "Bearer bench", "Content-Type": "application/json",
                                   "X-Emulator-Sandbox": sandbox})
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in (200, 201, 204):
            raise SystemExit(f"{method} {path}: {r.status} {data[:200]!r}")
        return data

    def fill(self, sandbox: str, n: int) -> None:
        fill(self.port, sandbox, n)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()
