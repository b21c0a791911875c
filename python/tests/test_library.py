"""Emulator and Sandbox against a real emulator process."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from workload_emulator import Emulator, EmulatorError, EmulatorNotFound, EmulatorStartError, Sandbox, find_binary

ARTIFACT: Dict[str, Any] = {
    "name": "hello",
    "spec": {"containerGroups": [{"containers": [{"imageUri": "example.com/hello:1", "port": 8080, "primary": True}]}]},
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def sandbox(emulator: Emulator) -> Iterator[Sandbox]:
    with emulator.sandbox() as s:
        yield s


def create(sandbox: Sandbox, name: str = "hello") -> str:
    resp = sandbox.api.post("/workloads/", json={"name": name, "artifact": ARTIFACT})
    assert resp.status == 201, resp.text
    return resp.json()["id"]


def test_base_url_path_prefix_and_header_forms_reach_the_same_sandbox(sandbox: Sandbox) -> None:
    from workload_emulator import Client

    wid = create(sandbox)
    assert sandbox.base_url.endswith(f"/sandboxes/{sandbox.name}/api/v2")
    by_header = Client(sandbox.header_base_url, sandbox.headers).get(f"/workloads/{wid}")
    assert by_header.status == 200 and by_header.json()["id"] == wid
    # Without the header, the same URL is the default sandbox, which does not hold it.
    no_header = Client(sandbox.header_base_url, {"Authorization": f"Bearer {sandbox.token}"})
    assert no_header.get(f"/workloads/{wid}").status == 404
    assert sandbox.env == {"DATAROBOT_ENDPOINT": sandbox.base_url, "DATAROBOT_API_TOKEN": sandbox.token}


def test_wait_for_moves_the_manual_clock_to_running(sandbox: Sandbox) -> None:
    wid = create(sandbox)
    before = sandbox.clock.now()
    view = sandbox.wait_for(wid, "running")
    assert view["status"] == "running"
    assert sandbox.api.get(f"/workloads/{wid}").json()["status"] == "running"
    assert sandbox.clock.now() > before


def test_wait_for_a_status_never_reached_says_where_it_stopped(sandbox: Sandbox) -> None:
    wid = create(sandbox)
    with sandbox.faults.add("launchFailure", workload_id=wid, message="ImagePullBackOff"):
        with pytest.raises(AssertionError, match=r"is 'errored' with nothing scheduled.*submitted -> "):
            sandbox.wait_for(wid, "running")


def test_advance_eight_hours_expires_a_draft(sandbox: Sandbox) -> None:
    wid = create(sandbox)
    fired = sandbox.clock.advance(hours=8)
    assert fired["now"] == "2026-01-01T08:00:00.000Z"
    assert sandbox.api.get(f"/workloads/{wid}").status == 404


def test_freeze_switches_a_running_clock_to_manual(sandbox: Sandbox) -> None:
    assert sandbox.clock.run(scale=60)["mode"] == "real"
    frozen = sandbox.clock.freeze()
    assert frozen["mode"] == "manual"
    assert sandbox.clock.now() == frozen["now"]


def test_fault_as_context_manager_applies_inside_only(sandbox: Sandbox) -> None:
    with sandbox.faults.add("respond", method="GET", path="/api/v2/workloads/", status=503, body={"detail": "down"}) as f:
        resp = sandbox.api.get("/workloads/")
        assert resp.status == 503 and resp.json() == {"detail": "down"}
        assert resp.headers["x-emulator-injected"] == f.id
        assert [r["id"] for r in sandbox.faults.list()] == [f.id]
    assert sandbox.faults.list() == []
    assert sandbox.api.get("/workloads/").status == 200


def test_a_refused_fault_rule_raises_with_the_emulators_answer(sandbox: Sandbox) -> None:
    with pytest.raises(EmulatorError, match="HTTP 422"):
        sandbox.faults.add("delay")  # delayMs is required


def test_journal_filters_and_assert_called(sandbox: Sandbox) -> None:
    wid = create(sandbox)
    sandbox.api.get(f"/workloads/{wid}")
    sandbox.api.get(f"/workloads/{wid}")
    gets = sandbox.journal.requests(method="GET", path="/api/v2/workloads/*")
    assert [e["path"] for e in gets] == [f"/api/v2/workloads/{wid}"] * 2
    assert len(sandbox.journal.assert_called("POST", "/api/v2/workloads/", times=1, status=201)) == 1
    with pytest.raises(AssertionError) as failure:
        sandbox.journal.assert_called("DELETE", "/api/v2/workloads/*")
    message = str(failure.value)
    assert "expected DELETE /api/v2/workloads/* at least once, got 0" in message
    assert f"GET /api/v2/workloads/{wid} -> 200" in message
    sandbox.journal.clear()
    assert sandbox.journal.requests() == []


def test_state_export_loads_into_another_sandbox(emulator: Emulator, sandbox: Sandbox) -> None:
    wid = create(sandbox)
    document = sandbox.state.export()
    with emulator.sandbox(token=sandbox.token) as other:
        loaded = other.state.load(document)
        assert loaded["workloads"] == 1
        assert other.api.get(f"/workloads/{wid}").json()["name"] == "hello"
        with pytest.raises(EmulatorError, match="HTTP 422"):
            other.state.load({"not": "a state document"})
        assert other.api.get(f"/workloads/{wid}").status == 200


def test_reset_empties_the_sandbox(sandbox: Sandbox) -> None:
    wid = create(sandbox)
    sandbox.clock.advance(hours=1)
    reset = sandbox.reset()
    assert reset["clock"]["now"] == "2026-01-01T00:00:00.000Z"
    assert sandbox.api.get(f"/workloads/{wid}").status == 404


def test_sandbox_is_dropped_on_exit(emulator: Emulator) -> None:
    with emulator.sandbox() as s:
        create(s)
        assert s.name in [row["name"] for row in emulator.sandboxes()]
    assert s.name not in [row["name"] for row in emulator.sandboxes()]


def test_bad_sandbox_names_are_refused(emulator: Emulator) -> None:
    for bad in ("", "..", "a/b", "x" * 65):
        with pytest.raises(ValueError, match="sandbox name"):
            emulator.new_sandbox(bad)


def test_connects_to_a_running_url(emulator: Emulator) -> None:
    with Emulator(url=emulator.url) as other:
        assert other.external and other.pid is None
        with other.sandbox() as s:
            create(s)
        assert other.health()["status"] == "ok"
    assert emulator.health()["status"] == "ok"  # closing the client leaves the server alone


def test_logs_hold_the_request_lines(emulator: Emulator, sandbox: Sandbox) -> None:
    offset = emulator.log_offset()
    sandbox.api.get("/workloads/")
    line = f'"GET /sandboxes/{sandbox.name}/api/v2/workloads/" 200'
    assert line in emulator.wait_for_log(line, since=offset)


def test_a_bad_flag_fails_start_with_the_emulators_message() -> None:
    with pytest.raises(EmulatorStartError, match=r"exited with code 2 before listening:\n.*--threads"):
        Emulator(args=["--threads", "many"]).start()


def test_binary_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(name: str) -> Path:
        p = tmp_path / name / "workload-emulator"
        p.parent.mkdir()
        p.write_text("#!/bin/sh\n")
        p.chmod(p.stat().st_mode | stat.S_IXUSR)
        return p

    on_path, in_var, given = fake("path"), fake("var"), fake("given")
    monkeypatch.setenv("PATH", str(on_path.parent))
    monkeypatch.delenv("WORKLOAD_EMULATOR_BIN", raising=False)
    assert find_binary() == str(on_path)
    monkeypatch.setenv("WORKLOAD_EMULATOR_BIN", str(in_var))
    assert find_binary() == str(in_var)
    assert find_binary(given) == str(given)
    with pytest.raises(EmulatorNotFound, match="is not an executable file"):
        find_binary(tmp_path / "missing")
    monkeypatch.delenv("WORKLOAD_EMULATOR_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EmulatorNotFound, match="set WORKLOAD_EMULATOR_BIN, put it on PATH"):
        find_binary()


def test_the_control_token_goes_with_every_control_call(monkeypatch: pytest.MonkeyPatch) -> None:
    import http.server
    import json as _json
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            seen.append((self.command, self.path, self.headers.get("X-Emulator-Token")))
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = _json.dumps({"status": "ok", "clock": {}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with Emulator(url=url, control_token="from-argument") as emu:
            emu.new_sandbox("s").reset()
        monkeypatch.setenv("WORKLOAD_EMULATOR_CONTROL_TOKEN", "from-variable")
        with Emulator(url=url) as emu:
            emu.new_sandbox("s").reset()
    finally:
        server.shutdown()
    assert seen == [
        ("GET", "/__emulator/health", "from-argument"),
        ("POST", "/__emulator/reset", "from-argument"),
        ("GET", "/__emulator/health", "from-variable"),
        ("POST", "/__emulator/reset", "from-variable"),
    ]


def test_a_process_started_with_a_control_token_needs_it() -> None:
    from workload_emulator._http import send

    with Emulator(control_token="s3cret") as emu, emu.sandbox() as s:
        assert s.clock.advance(hours=1)["now"] == "2026-01-01T01:00:00.000Z"
        bare = send("GET", f"{emu.url}/__emulator/clock", {"X-Emulator-Sandbox": s.name}, None, 10)
        assert bare.status == 401, bare.text
