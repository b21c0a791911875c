"""What the client tests share: the emulator process wrapper and small helpers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
TOKEN = "client-tests-token"

# The hello-world container of DataRobot's tutorial, used wherever a test needs an
# inline artifact that is not built by a client's own payload builder.
WHOAMI_ARTIFACT: dict[str, Any] = {
    "name": "hello-whoami",
    "description": "Simple HTTP server for testing",
    "spec": {
        "containerGroups": [
            {
                "containers": [
                    {
                        "imageUri": "containous/whoami:latest",
                        "port": 8080,
                        "primary": True,
                        "resourceRequest": {"cpu": 1, "memory": 536870912},
                    }
                ]
            }
        ]
    },
}


def emulator_binary() -> Path:
    path = Path(os.environ.get("WORKLOAD_EMULATOR_BIN", ".build/debug/workload-emulator"))
    return path if path.is_absolute() else REPO / path


class Emulator:
    """One running emulator process and the helpers the tests drive it with."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log
        self.root = f"http://127.0.0.1:{port}"
        self.api = f"{self.root}/api/v2"
        self.http = requests.Session()

    # -- the emulator's own API (no token needed) ---------------------------------------

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.root}/__emulator/{path.lstrip('/')}", timeout=10, **kwargs)

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the manual clock; every transition due in the window fires."""
        resp = self.control("POST", "clock/advance", json={"seconds": seconds})
        assert resp.status_code == 200, f"clock advance: {resp.status_code} {resp.text}"
        return resp.json()

    def add_fault(self, rule: dict[str, Any]) -> dict[str, Any]:
        resp = self.control("POST", "faults", json=rule)
        assert resp.status_code == 201, f"fault rule: {resp.status_code} {resp.text}"
        return resp.json()

    def journal(self, **params: str) -> list[dict[str, Any]]:
        """The request journal, filtered by method and path."""
        resp = self.control("GET", "requests", params=params)
        assert resp.status_code == 200, f"journal: {resp.status_code} {resp.text}"
        body = resp.json()
        return body["data"] if isinstance(body, dict) else body

    # -- the real API with a plain session, for setup and checks --------------------------

    def call(self, method: str, path: str, token: str = TOKEN, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.api}/{path.lstrip('/')}", headers=headers, timeout=10, **kwargs)

    def workload_status(self, workload_id: str) -> str:
        resp = self.call("GET", f"workloads/{workload_id}")
        assert resp.status_code == 200, resp.text
        return resp.json()["status"]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.http.close()


def run(coro: Any) -> Any:
    """The drtools workload tools are coroutines; run one to completion."""
    return asyncio.run(coro)


def wait_for_status(emulator: Emulator, workload_id: str, target: str, *, step: float = 1.0, limit: int = 60) -> str:
    """Poll like a client does, but move the manual clock instead of sleeping."""
    status = emulator.workload_status(workload_id)
    for _ in range(limit):
        if status == target:
            return status
        emulator.advance(step)
        status = emulator.workload_status(workload_id)
    return status
