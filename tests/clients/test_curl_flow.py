"""Runs tests/clients/curl_flow.sh (the hello-world flow with curl) against the emulator."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import TOKEN, Emulator

SCRIPT = Path(__file__).with_name("curl_flow.sh")


def run_script(emulator: Emulator, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), emulator.root, TOKEN, *extra],
        capture_output=True, text=True, timeout=120,
    )


def test_curl_flow(emulator: Emulator) -> None:
    done = run_script(emulator)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "curl_flow: invoke" in done.stdout
    assert done.stdout.strip().endswith("curl_flow: ok")
