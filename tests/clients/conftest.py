"""Fixtures for the client tests: real client libraries against the real emulator binary.

Each test gets its own emulator process (it starts in milliseconds), so no state, clock
or fault rule leaks between tests and the tests need no sandbox feature to be isolated.
The emulator runs with `--clock manual --lifecycle instant`: time moves only when a test
calls `emulator.advance(seconds)` (`POST /__emulator/clock/advance`), never by sleeping.

The binary comes from WORKLOAD_EMULATOR_BIN (default .build/debug/workload-emulator,
relative to the repository root).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from support import TOKEN, Emulator, emulator_binary


@pytest.fixture
def start_emulator(tmp_path: Path) -> Iterator[Callable[..., Emulator]]:
    """Factory: start an emulator with extra flags (e.g. `--auth strict`) or another lifecycle."""
    started: list[Emulator] = []
    binary = emulator_binary()
    if not binary.is_file():
        pytest.fail(f"emulator binary not found at {binary}: build it or set WORKLOAD_EMULATOR_BIN")

    def start(*extra: str, lifecycle: str = "instant") -> Emulator:
        n = len(started)
        port_file = tmp_path / f"port-{n}"
        log = tmp_path / f"emulator-{n}.log"
        args = [
            str(binary), "--port", "0", "--port-file", str(port_file),
            "--clock", "manual", "--lifecycle", lifecycle, *extra,
        ]
        # Our own variables would change the flags under test; the response recorder of
        # the contract conformance test (scripts/test) is the one that passes through.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("WORKLOAD_EMULATOR_") or k == "WORKLOAD_EMULATOR_RECORD_RESPONSES"}
        with log.open("wb") as err:
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=env)
        # The port file is written atomically once the socket accepts connections (§2);
        # this waits for the process to start, not for any emulated state.
        deadline = time.monotonic() + 15
        while not port_file.exists():
            if proc.poll() is not None:
                pytest.fail(f"emulator exited with {proc.returncode}: {log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("emulator did not write its port file within 15 s")
            time.sleep(0.005)  # allow-sleep: waiting for a process to start, not for emulated state
        emu = Emulator(proc, int(port_file.read_text().strip()), log)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()
        # pytest shows captured output only for a failing test: then the emulator's own
        # request log is right there beside the assertion.
        tail = emu.log_text().splitlines()[-40:]
        print(f"--- emulator on port {emu.port}, last {len(tail)} log lines:", *tail, sep="\n")


@pytest.fixture
def emulator(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator()


def configure_drtools(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Configure datarobot_genai.drtools the documented way: environment variables only."""
    from datarobot_genai.drmcputils import credentials

    monkeypatch.setenv("DATAROBOT_ENDPOINT", emulator.api)
    monkeypatch.setenv("DATAROBOT_API_TOKEN", TOKEN)
    monkeypatch.setenv("AUTH_RESOLUTION_STRATEGY", "config")
    monkeypatch.delenv("DATAROBOT_CONFIG_FILE", raising=False)
    # The credentials object is a process-wide cache read once; drop it so this test's
    # endpoint is the one used (and again after the test, so no later test sees it).
    credentials._credentials = None


@pytest.fixture
def drtools_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    from datarobot_genai.drmcputils import credentials

    configure_drtools(emulator, monkeypatch)
    yield emulator
    credentials._credentials = None


@pytest.fixture
def realistic_drtools_env(start_emulator: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """As drtools_env, with the realistic phase durations: nothing settles before an advance."""
    from datarobot_genai.drmcputils import credentials

    emulator = start_emulator(lifecycle="realistic")
    configure_drtools(emulator, monkeypatch)
    yield emulator
    credentials._credentials = None


@pytest.fixture
def dr_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """Environment for `dr.Client()` with no arguments, as the tutorial calls it."""
    import datarobot as dr

    monkeypatch.setenv("DATAROBOT_ENDPOINT", emulator.api)
    monkeypatch.setenv("DATAROBOT_API_TOKEN", TOKEN)
    monkeypatch.delenv("DATAROBOT_CONFIG_FILE", raising=False)
    yield emulator
    dr.client.set_client(None)  # type: ignore[arg-type]
