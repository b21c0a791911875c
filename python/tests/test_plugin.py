"""The pytest plugin, run through pytester in a subprocess as a user's suite would run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workload_emulator import Emulator

pytest.importorskip("xdist")

README = Path(__file__).resolve().parents[2] / "README.md"

CREATE = '''
ARTIFACT = {"name": "hello", "spec": {"containerGroups": [{"containers": [
    {"imageUri": "example.com/hello:1", "port": 8080, "primary": True}]}]}}

def create(sandbox, name="hello"):
    resp = sandbox.api.post("/workloads/", json={"name": name, "artifact": ARTIFACT})
    assert resp.status == 201, resp.text
    return resp.json()["id"]
'''


def readme_snippet() -> str:
    """The pytest example in the README, word for word."""
    text = README.read_text()
    match = re.search(r"<!-- pytest-ttl-example -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README.md has no block after <!-- pytest-ttl-example -->"
    return match.group(1)


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    snippet = readme_snippet()
    assert len(snippet.strip().splitlines()) <= 12
    pytester.makepyfile(test_readme=snippet)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_each_test_gets_a_fresh_sandbox_that_is_dropped_after(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CREATE
        + '''
names = []

def test_first(emulator_sandbox):
    create(emulator_sandbox)
    names.append(emulator_sandbox.name)
    assert len(emulator_sandbox.api.get("/workloads/").json()["data"]) == 1

def test_second_sees_nothing_of_the_first(emulator_sandbox, workload_emulator):
    assert emulator_sandbox.name != names[0]
    assert emulator_sandbox.api.get("/workloads/").json()["data"] == []
    assert [e["path"] for e in emulator_sandbox.journal.requests()] == ["/api/v2/workloads/"]
    assert names[0] not in [s["name"] for s in workload_emulator.sandboxes()]

def test_one_process_per_session(workload_emulator, request):
    assert workload_emulator is request.getfixturevalue("workload_emulator")
    assert workload_emulator.pid is not None and workload_emulator.running
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


@pytest.mark.parametrize("shared", [False, True], ids=["process-per-worker", "one-shared-instance"])
def test_no_leaks_between_tests_under_xdist(pytester: pytest.Pytester, shared: bool) -> None:
    # 16 tests over 4 workers, each worker with a process of its own or all on one
    # instance: every test must see only its own workloads, clock, faults and journal,
    # whatever ran before it or beside it.
    pytester.makepyfile(
        CREATE
        + '''
import pytest

@pytest.mark.parametrize("n", range(16))
def test_isolated(emulator_sandbox, n):
    ids = {create(emulator_sandbox, f"w{n}-{i}") for i in range(n % 3 + 1)}
    listed = emulator_sandbox.api.get("/workloads/").json()["data"]
    assert {w["id"] for w in listed} == ids
    emulator_sandbox.clock.advance(hours=n)
    assert emulator_sandbox.clock.now() == f"2026-01-01T{n:02d}:00:00.000Z"
    emulator_sandbox.journal.assert_called("POST", "/api/v2/workloads/", times=len(ids))
    if n % 2:
        emulator_sandbox.faults.add("respond", path="/api/v2/workloads/", status=503)
    assert emulator_sandbox.api.get("/workloads/").status == (503 if n % 2 else 200)
'''
    )
    with Emulator() as instance:
        extra = [f"--workload-emulator-url={instance.url}"] if shared else []
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "4", *extra)
        used = instance.logs().count('"POST /sandboxes/')
    result.assert_outcomes(passed=16)
    assert used == (sum(n % 3 + 1 for n in range(16)) if shared else 0)
    result.stdout.re_match_lines([r".*4 workers \[16 items\].*"])


def test_a_failing_test_shows_the_emulators_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        '''
def test_passes(emulator_sandbox):
    emulator_sandbox.api.get("/workloads/?marker=passing")

def test_fails(emulator_sandbox):
    emulator_sandbox.api.get("/workloads/?marker=failing")
    assert False, "boom"
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*workload-emulator log (call)*", '*"GET /sandboxes/test_fails-*/workloads/?marker=failing" 200*'])
    assert "marker=passing" not in result.stdout.str()


def test_url_option_uses_a_running_instance(pytester: pytest.Pytester) -> None:
    with Emulator() as running:
        pytester.makepyfile(
            f'''
def test_uses_it(workload_emulator, emulator_sandbox):
    assert workload_emulator.url == "{running.url}"
    assert workload_emulator.pid is None
    emulator_sandbox.api.get("/workloads/")
'''
        )
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--workload-emulator-url={running.url}")
        result.assert_outcomes(passed=1)
        assert 'workloads/" 200' in running.logs()


def test_bin_option_names_the_binary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_needs_it(workload_emulator):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--workload-emulator-bin=/nonexistent/emulator")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the path given (/nonexistent/emulator) is not an executable file*"])


def test_args_fixture_passes_flags(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        '''
import pytest

@pytest.fixture(scope="session")
def workload_emulator_args():
    return ["--lifecycle", "instant"]
'''
    )
    pytester.makepyfile(
        CREATE
        + '''
def test_instant(emulator_sandbox):
    wid = create(emulator_sandbox)
    emulator_sandbox.clock.advance(seconds=0)
    assert emulator_sandbox.api.get(f"/workloads/{wid}").json()["status"] == "running"
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_help_lists_the_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--workload-emulator-bin*", "*--workload-emulator-url*"])


def test_a_late_line_of_the_previous_test_is_left_out_of_the_report() -> None:
    from workload_emulator.pytest_plugin import _lines_of

    log = (
        '... "GET /sandboxes/test_passes-c19f/api/v2/workloads/?marker=passing" 200 220B\n'
        '... "DELETE /__emulator/sandboxes/test_passes-c19f" 204 112B\n'
        '... "POST /__emulator/reset" 200 289B\n'
        '... "GET /sandboxes/test_fails-3692/api/v2/workloads/?marker=failing" 200 220B\n'
        "workload-emulator: a warning that names no sandbox\n"
    )
    assert _lines_of("test_fails-3692", log) == (
        '... "POST /__emulator/reset" 200 289B\n'
        '... "GET /sandboxes/test_fails-3692/api/v2/workloads/?marker=failing" 200 220B\n'
        "workload-emulator: a warning that names no sandbox\n"
    )
    # A name that only starts like ours is another sandbox.
    assert _lines_of("test_fails", log).count("marker=failing") == 0
