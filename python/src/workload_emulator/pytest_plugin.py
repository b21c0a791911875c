"""pytest plugin (entry point `pytest11`): the `workload_emulator` and `emulator_sandbox` fixtures.

    def test_something(emulator_sandbox):
        emulator_sandbox.api.get("/workloads/")

One emulator process per session (per worker under pytest-xdist), one sandbox per test,
dropped after it. A failing test's report shows what the emulator logged during it.
"""

from __future__ import annotations

import os
import re
from typing import Any, Generator, List, Optional, Tuple

import pytest

from ._emulator import Emulator, sandbox_name_for
from ._sandbox import Sandbox

_log_key = pytest.StashKey[Tuple[Emulator, int, str]]()
_sandbox_in_line = re.compile(r"/sandboxes/([A-Za-z0-9._-]+)")


def _lines_of(sandbox: str, text: str) -> str:
    """The lines of `text` that name no sandbox but `sandbox`. The emulator writes its
    request lines a moment after answering, so the previous test's last lines can land
    after this test's starting offset; they name that test's sandbox and are left out."""
    kept = []
    for line in text.splitlines(keepends=True):
        named = _sandbox_in_line.findall(line)
        if not named or sandbox in named:
            kept.append(line)
    return "".join(kept)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workload-emulator")
    group.addoption(
        "--workload-emulator-bin",
        default=None,
        help="the workload-emulator binary to start (default: $WORKLOAD_EMULATOR_BIN, then PATH)",
    )
    group.addoption(
        "--workload-emulator-url",
        default=None,
        help="use the emulator already running at this URL instead of starting one "
        "(default: $WORKLOAD_EMULATOR_URL)",
    )


@pytest.fixture(scope="session")
def workload_emulator_args() -> List[str]:
    """Extra flags for the emulator process; override in a conftest.py, e.g.
    `return ["--lifecycle", "instant"]`."""
    return []


@pytest.fixture(scope="session")
def workload_emulator(
    request: pytest.FixtureRequest, workload_emulator_args: List[str]
) -> Generator[Emulator, None, None]:
    """The emulator for this session: a process on a free port, or the instance at
    `--workload-emulator-url`."""
    url: Optional[str] = request.config.getoption("--workload-emulator-url") or os.environ.get("WORKLOAD_EMULATOR_URL")
    binary = request.config.getoption("--workload-emulator-bin")
    emulator = Emulator(binary, url=url, args=workload_emulator_args) if url else Emulator(binary, args=workload_emulator_args)
    with emulator:
        yield emulator


@pytest.fixture
def emulator_sandbox(request: pytest.FixtureRequest, workload_emulator: Emulator) -> Generator[Sandbox, None, None]:
    """A sandbox of its own for this test, dropped after it."""
    sandbox = workload_emulator.new_sandbox(sandbox_name_for(request.node.nodeid))
    request.node.stash[_log_key] = (workload_emulator, workload_emulator.log_offset(), sandbox.name)
    sandbox.reset()
    yield sandbox
    if workload_emulator.running:
        sandbox.drop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if not report.failed or _log_key not in item.stash:
        return
    emulator, offset, sandbox = item.stash[_log_key]
    text = _lines_of(sandbox, emulator.settled_logs(offset))
    if text:
        report.sections.append((f"workload-emulator log ({report.when})", text))
