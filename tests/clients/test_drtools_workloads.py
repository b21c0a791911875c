"""DataRobot's own Workload client, `datarobot-genai[drtools]`, against the emulator.

`WorkloadApiClient` (datarobot_genai/drtools/core/clients/datarobot_workload.py) and the
workload tools built on it (datarobot_genai/drtools/workload/*.py), configured the way
their docs say: DATAROBOT_ENDPOINT, DATAROBOT_API_TOKEN, AUTH_RESOLUTION_STRATEGY=config.
Every call the client offers for workloads is exercised; docs/CLIENTS.md lists them with
the exact requests they make.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import requests
from datarobot.errors import ClientError
from datarobot_genai.drmcputils.exceptions import ToolError, ToolErrorKind
from datarobot_genai.drtools.core.clients.datarobot_workload import WorkloadApiClient
from datarobot_genai.drtools.workload import workload_observability as obs_tools
from datarobot_genai.drtools.workload import workload_runtime as runtime_tools
from datarobot_genai.drtools.workload import workloads as workload_tools

import features
from support import TOKEN, WHOAMI_ARTIFACT, Emulator, run, wait_for_status

ID = re.compile(r"^[0-9a-f]{24}$")


def build_payload(**overrides: Any) -> dict[str, Any]:
    """The create body exactly as `workload_create_payload_build` makes it (inline mode)."""
    args: dict[str, Any] = dict(
        name="hello-drtools", artifact_name="whoami", image_uri="containous/whoami:latest",
        port=8080, cpu=1, memory_bytes=134217728,
    )
    args.update(overrides)
    return run(workload_tools.workload_create_payload_build(**args))["payload"]


def create_from_builder(client: WorkloadApiClient, **overrides: Any) -> dict[str, Any]:
    """Create a workload with the builder's payload, exactly as the builder makes it."""
    return client.create_workload(build_payload(**overrides))


def new_artifact(client: WorkloadApiClient, name: str) -> dict[str, Any]:
    body = copy.deepcopy(WHOAMI_ARTIFACT)
    body["name"] = name
    return client.create_artifact(body)


@pytest.fixture
def client(drtools_env: Emulator) -> WorkloadApiClient:
    return WorkloadApiClient()


@pytest.fixture
def running(client: WorkloadApiClient, drtools_env: Emulator) -> dict[str, Any]:
    created = create_from_builder(client)
    assert wait_for_status(drtools_env, created["id"], "running") == "running"
    return client.get_workload(created["id"])


# -- create ----------------------------------------------------------------------------


def test_payload_builder_body_is_the_documented_one() -> None:
    # docs/CLIENTS.md quotes this body; if a new datarobot-genai changes it, the doc must too.
    assert build_payload() == {
        "name": "hello-drtools",
        "importance": "low",
        "artifact": {
            "name": "whoami",
            "spec": {
                "type": "service",
                "containerGroups": [
                    {
                        "containers": [
                            {
                                "name": "main",
                                "imageUri": "containous/whoami:latest",
                                "primary": True,
                                "port": 8080,
                                "resourceRequest": {"cpu": 1, "memory": 134217728, "gpu": 0},
                            }
                        ]
                    }
                ],
            },
        },
        "runtime": {"containerGroups": [{"name": "default", "replicaCount": 1}]},
    }


def test_create_from_payload_builder_inline(client: WorkloadApiClient, drtools_env: Emulator) -> None:
    created = client.create_workload(build_payload())
    assert ID.match(created["id"])
    assert created["status"] == "submitted"
    assert created["name"] == "hello-drtools"
    assert created["importance"] == "low"
    assert created["artifact"]["status"] == "draft"
    assert created["runtime"]["containerGroups"][0]["replicaCount"] == 1
    assert created["endpoint"] == f"{drtools_env.api}/endpoints/workloads/{created['id']}/"


def test_create_from_payload_builder_existing_artifact(client: WorkloadApiClient, drtools_env: Emulator) -> None:
    artifact = new_artifact(client, "whoami-existing")
    payload = run(workload_tools.workload_create_payload_build(
        name="from-artifact", artifact_id=artifact["id"], importance="High", replica_count=2))["payload"]
    assert payload == {
        "name": "from-artifact", "importance": "high", "artifactId": artifact["id"],
        "runtime": {"containerGroups": [{"name": "default", "replicaCount": 2}]},
    }
    created = run(workload_tools.workload_create(payload=payload))
    assert created["status"] == "submitted"
    assert created["artifactId"] == artifact["id"]
    assert created["importance"] == "high"
    assert wait_for_status(drtools_env, created["id"], "running") == "running"


# -- read ------------------------------------------------------------------------------


def test_list_and_search(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    page = client.list_workloads(limit=100, offset=0)
    assert [w["id"] for w in page["data"]] == [running["id"]]
    assert page["count"] == 1 and page["totalCount"] == 1
    assert page["next"] is None and page["previous"] is None
    assert [w["id"] for w in client.list_workloads(search="HELLO-drt")["data"]] == [running["id"]]
    assert client.list_workloads(search="no-such-name")["data"] == []

    listed = run(workload_tools.workload_list(limit=500))  # the tool clamps to 100
    assert listed["limit"] == 100 and "note" in listed
    assert listed["count"] == 1 and listed["total_count"] == 1
    assert listed["workloads"][0]["id"] == running["id"]


@features.search_by_id
def test_search_matches_the_id(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    # workload_list's parameter text: "matches workload name or ID" (workloads.py:61).
    assert [w["id"] for w in client.list_workloads(search=running["id"])["data"]] == [running["id"]]


def test_get_and_status_check(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    got = client.get_workload(running["id"])
    for key in ("id", "name", "status", "artifactId", "importance", "runtime", "endpoint", "createdAt"):
        assert key in got, key
    check = run(workload_tools.workload_get(workload_id=running["id"], target_status="running"))
    assert check["target_reached"] is True and check["status"] == "running"
    assert check["raw"]["id"] == running["id"]


def test_get_unknown_workload_is_not_found(client: WorkloadApiClient, drtools_env: Emulator) -> None:
    with pytest.raises(ClientError) as caught:
        client.get_workload("0" * 24)
    assert caught.value.status_code == 404
    assert isinstance(caught.value.json.get("detail"), str)  # parsed only if Content-Type is exactly JSON
    with pytest.raises(ToolError) as tool_caught:
        run(workload_tools.workload_get(workload_id="0" * 24))
    assert tool_caught.value.kind == ToolErrorKind.NOT_FOUND


# -- lifecycle -------------------------------------------------------------------------


def test_stop_then_start(client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator) -> None:
    wid = running["id"]
    stopped = client.stop_workload(wid)
    assert stopped["workloadId"] == wid
    assert stopped["status"] in ("stopping", "stopped")
    assert stopped["trackVia"].endswith(f"/workloads/{wid}")
    assert wait_for_status(drtools_env, wid, "stopped") == "stopped"

    # A second stop is a no-op the tool still reports as accepted (200, same shape).
    again = run(workload_tools.workload_action_run(workload_id=wid, action="stop"))
    assert again["accepted"]["workloadId"] == wid

    started = run(workload_tools.workload_action_run(workload_id=wid, action="start"))
    assert started["accepted"]["workloadId"] == wid
    assert "target_status='running'" in started["note"]
    assert wait_for_status(drtools_env, wid, "running") == "running"
    # A start from stopped makes a new proton.
    assert client.get_workload(wid)["protonId"] != running["protonId"]


def test_update_name_and_importance(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    updated = run(workload_tools.workload_update(
        workload_id=running["id"], name=" renamed ", description="d", importance="CRITICAL"))
    assert updated["name"] == "renamed"
    assert updated["description"] == "d"
    assert updated["importance"] == "critical"


def test_promote_locks_the_artifact(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    promoted = run(workload_tools.workload_action_run(workload_id=running["id"], action="promote"))
    assert promoted["id"] == running["id"]
    assert client.get_workload(running["id"])["artifact"]["status"] == "locked"


def test_delete(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    result = run(workload_tools.workload_action_run(workload_id=running["id"], action="delete"))
    assert result == {"deleted": True, "workload_id": running["id"]}
    with pytest.raises(ClientError) as caught:
        client.get_workload(running["id"])
    assert caught.value.status_code == 404


def test_partial_delete_reaches_the_client_as_404(
    client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator
) -> None:
    """The 502 partial delete never reaches this client.

    datarobot's default Retry (rest.py:164-181) retries 502 on every verb, so the DELETE
    is sent again, the workload is gone by then, and the caller sees 404. The emulator
    must keep answering the retry with 404 `{"detail": ...}` (not 502 again, not 500).
    """
    drtools_env.add_fault({"action": "protonStopFailure", "match": {"workloadId": running["id"]}})
    with pytest.raises(ToolError) as caught:
        run(workload_tools.workload_action_run(workload_id=running["id"], action="delete"))
    assert caught.value.kind == ToolErrorKind.NOT_FOUND
    assert "(404)" in str(caught.value)
    deletes = drtools_env.journal(method="DELETE")
    assert [e["status"] for e in deletes] == [502, 404], "one 502, then the SDK's retry got 404"
    assert drtools_env.call("GET", f"workloads/{running['id']}").status_code == 404


# -- settings and replacement ----------------------------------------------------------


def test_get_settings(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    settings = client.get_workload_settings(running["id"])
    assert settings["runtime"]["containerGroups"][0]["replicaCount"] == 1
    assert run(runtime_tools.workload_settings(workload_id=running["id"])) == settings


def test_update_settings_rolls_out_a_replacement(
    client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator
) -> None:
    runtime = {"containerGroups": [{"name": "default", "replicaCount": 2}]}
    replacement = run(runtime_tools.workload_settings(workload_id=running["id"], runtime=runtime))
    # The real `Replacement`: what the Terraform provider and the CLI read.
    assert replacement["status"] == "submitted"
    assert replacement["candidateArtifactId"] == running["artifactId"]
    assert replacement["workloadId"] == running["id"] and replacement["name"] == running["name"]
    assert replacement["runtime"] == runtime
    assert replacement["previousProtonIds"] == [running["protonId"]]
    assert client.get_workload(running["id"])["status"] == "running"
    drtools_env.advance(600)
    assert client.get_workload_settings(running["id"])["runtime"]["containerGroups"][0]["replicaCount"] == 2
    assert client.get_workload(running["id"])["replacement"] is None


def test_replacement_create_read_complete(
    client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator
) -> None:
    candidate = new_artifact(client, "whoami-v2")
    created = run(runtime_tools.workload_artifact_replace(
        workload_id=running["id"], artifact_id=candidate["id"], warmup_duration_minutes=1))
    assert created["status"] == "submitted"
    assert created["candidateArtifactId"] == candidate["id"]
    assert created["config"] == {"warmupDurationMinutes": 1, "keepOldVersionMinutes": 0}
    in_flight = run(runtime_tools.workload_artifact_replace(workload_id=running["id"]))
    assert in_flight["id"] == created["id"] and in_flight["candidateArtifactId"] == candidate["id"]
    assert in_flight["status"] == "initializing"  # warming up for the minute asked
    assert client.get_workload(running["id"])["replacement"] is not None

    drtools_env.advance(3600)
    after = client.get_workload(running["id"])
    assert after["artifactId"] == candidate["id"]
    assert after["replacement"] is None and after["status"] == "running"
    with pytest.raises(ToolError) as caught:
        run(runtime_tools.workload_artifact_replace(workload_id=running["id"]))
    assert caught.value.kind == ToolErrorKind.NOT_FOUND


def test_replacement_conflict_and_cancel(
    client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator
) -> None:
    candidate = new_artifact(client, "whoami-v2")
    other = new_artifact(client, "whoami-v3")
    run(runtime_tools.workload_artifact_replace(
        workload_id=running["id"], artifact_id=candidate["id"], warmup_duration_minutes=30))
    with pytest.raises(ClientError) as conflict:
        client.create_workload_replacement(
            running["id"], {"artifactId": other["id"], "strategy": "rolling",
                            "config": {"warmupDurationMinutes": 0, "keepOldVersionMinutes": 0}})
    assert conflict.value.status_code == 409

    run(runtime_tools.workload_artifact_replace(workload_id=running["id"], cancel=True))
    drtools_env.advance(3600)
    after = client.get_workload(running["id"])
    assert after["artifactId"] == running["artifactId"] and after["status"] == "running"


# -- observability ---------------------------------------------------------------------


def test_stats(client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator) -> None:
    stats = client.get_workload_stats(running["id"])
    assert stats["metrics"]["totalRequests"] == 0
    for path in ("a", "b", "c"):
        assert drtools_env.call("GET", f"endpoints/workloads/{running['id']}/{path}").status_code == 200
    stats = client.get_workload_stats(running["id"])
    assert set(stats) == {"period", "metrics"}
    assert stats["period"]["start"] == running["createdAt"]
    via_tool = run(obs_tools.workload_stats_get(
        workload_id=running["id"], response_time_quantile=0.95, slow_requests_threshold=500,
        proton_id=running["protonId"]))
    metrics = via_tool["metrics"]
    assert metrics["totalRequests"] == 3
    assert metrics["requestsPerMinute"] == 3  # three requests within the first minute
    assert (metrics["serverErrors"], metrics["userErrors"], metrics["totalErrorRate"]) == (0, 0, 0.0)
    assert metrics["slowRequests"] == 0  # the built-in echo answers far under 500 ms
    assert metrics["concurrentRequests"] == 0
    # The workload document says when it last answered.
    assert client.get_workload(running["id"])["lastResponse"] is not None


def test_events(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    page = client.list_workload_events(running["id"], limit=10, offset=0)
    events = page["data"]
    assert events, page
    for event in events:
        for key in ("id", "workloadId", "eventType", "timestamp"):
            assert key in event, (key, event)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps), "events must be oldest first"
    reached = [e["details"].get("to") for e in events if isinstance(e.get("details"), dict)]
    for status in ("submitted", "provisioning", "launching", "running"):
        assert status in reached, (status, reached)

    via_tool = run(obs_tools.workload_activity_get(workload_id=running["id"], kind="events", limit=2))
    assert via_tool["count"] == 2 and len(via_tool["events"]) == 2
    assert via_tool["total_count"] == page["totalCount"]
    assert via_tool["next"].startswith("http")


def test_history(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    run(workload_tools.workload_action_run(workload_id=running["id"], action="promote"))
    history = run(obs_tools.workload_activity_get(workload_id=running["id"], kind="history"))
    assert history["count"] == 1
    [entry] = history["history"]
    assert entry["status"] == "completed" and entry["candidateArtifactId"] == running["artifactId"]


def test_related(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    related = run(obs_tools.workload_activity_get(workload_id=running["id"], kind="related"))
    assert [(r["id"], r["type"]) for r in related["data"]] == [
        (running["artifactId"], "artifact"),
        (running["artifact"]["artifactRepositoryId"], "artifact_repository"),
        (running["protonId"], "proton"),
    ]


def test_protons(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    page = client.list_protons(running["id"], limit=10, offset=0)
    assert [p["id"] for p in page["data"]] == [running["protonId"]]
    proton = client.get_proton(running["id"], running["protonId"])
    assert proton["status"] == "running" and proton["role"] == "active"
    listed = run(obs_tools.workload_proton_get(workload_id=running["id"]))
    assert listed["protons"][0]["id"] == running["protonId"]


def test_proton_status_details(client: WorkloadApiClient, running: dict[str, Any]) -> None:
    details = client.get_proton_status_details(running["id"], running["protonId"])
    assert details["overallStatus"]["state"] == "running"
    assert details["overallStatus"]["summary"] == "1/1 replicas ready"
    [replica] = details["replicas"]
    assert replica["status"] == "running"
    assert [(c["type"], c["met"]) for c in replica["conditions"]] == [
        ("PodScheduled", True), ("Initialized", True), ("ContainersReady", True), ("Ready", True)]
    assert [(c["name"], c["status"], c["ready"], c["image"]) for c in replica["containers"]] == [
        ("main", "running", True, "containous/whoami:latest")]
    proton = run(obs_tools.workload_proton_get(
        workload_id=running["id"], proton_id=running["protonId"], include_status_details=True))
    assert proton["status_details"] == details


def test_status_details_before_scheduling_is_none(realistic_drtools_env: Emulator) -> None:
    """204 with an empty body reads as None (DW:188-196)."""
    client = WorkloadApiClient()
    created = create_from_builder(client)
    assert client.get_proton_status_details(created["id"], created["protonId"]) is None
    proton = run(obs_tools.workload_proton_get(
        workload_id=created["id"], proton_id=created["protonId"], include_status_details=True))
    assert proton["status_details"] is None


def test_unbuilt_artifact_gets_the_clients_build_hint(realistic_drtools_env: Emulator) -> None:
    """A 422 naming `runtime_image_uri` makes drtools add its BUILT-vs-COMPLETED hint (D8)."""
    client = WorkloadApiClient()
    artifact = new_artifact(client, "whoami-unbuilt")
    client.trigger_artifact_build(artifact["id"])
    payload = run(workload_tools.workload_create_payload_build(name="too-early", artifact_id=artifact["id"]))
    with pytest.raises(ToolError) as caught:
        run(workload_tools.workload_create(payload=payload["payload"]))
    assert caught.value.kind == ToolErrorKind.UPSTREAM
    assert "(422)" in str(caught.value)
    assert "Hint: a 422 mentioning `runtime_image_uri ... None`" in str(caught.value)


def test_list_bundles(drtools_env: Emulator) -> None:
    bundles = run(workload_tools.workload_bundle_list())
    ids = [b["id"] for b in bundles["data"]]
    assert ids == ["cpu.nano", "cpu.small", "cpu.medium", "cpu.large", "gpu.l4.small", "gpu.a10g.medium"]
    assert bundles["totalCount"] == 6 and bundles["next"] is None
    l4 = bundles["data"][4]
    # What the tool describes: CPU count, memory, GPU type and VRAM.
    assert (l4["cpuCount"], l4["memoryBytes"], l4["gpuCount"]) == (4, 16 * 1024**3, 1)
    assert (l4["gpuTypeLabel"], l4["gpuMemoryBytes"]) == ("nvidia-l4", 24 * 1024**3)


def test_bundle_from_the_list_is_resolved_at_scheduling(client: WorkloadApiClient, drtools_env: Emulator) -> None:
    created = create_from_builder(client, resource_bundle_id="gpu.l4.small")
    assert created["runtime"]["containerGroups"][0]["resourceBundles"] == ["gpu.l4.small"]
    assert wait_for_status(drtools_env, created["id"], "running") == "running"
    group = client.get_workload(created["id"])["runtime"]["containerGroups"][0]
    assert group["bundleSelectionPolicy"] == "availability"
    assert group["resolvedBundle"] == {
        "id": "gpu.l4.small", "cpuCount": 4, "memoryBytes": 16 * 1024**3, "gpuCount": 1,
        "gpuMaker": "nvidia", "gpuTypeLabel": "nvidia-l4",
    }


def test_unknown_bundle_is_refused_naming_it(drtools_env: Emulator) -> None:
    with pytest.raises(ToolError) as caught:
        run(workload_tools.workload_create(payload=build_payload(resource_bundle_id="gpu.h100.huge")))
    assert caught.value.kind == ToolErrorKind.UPSTREAM
    assert "(422)" in str(caught.value)
    assert "Unknown resource bundle 'gpu.h100.huge'" in str(caught.value)


def test_logs(client: WorkloadApiClient, running: dict[str, Any], drtools_env: Emulator) -> None:
    wid = running["id"]
    for path in ("hello", "hello?x=1", "ping"):
        assert drtools_env.call("GET", f"endpoints/workloads/{wid}/{path}").status_code == 200
    logs = run(obs_tools.workload_logs_get(workload_id=wid, level="info", includes=['"GET ']))
    messages = [line["message"] for line in logs["logs"]]
    assert [m.split(" ")[0:3] for m in messages] == [
        ['"GET', '/ping"', "200"], ['"GET', '/hello?x=1"', "200"], ['"GET', '/hello"', "200"],
    ]
    assert logs["count"] == 3 and logs["total_count"] == 3
    assert all(line["level"] == "info" and len(line["traceId"]) == 32 for line in logs["logs"])
    # The whole log, newest first: lifecycle lines come before (under) the invokes.
    everything = run(obs_tools.workload_logs_get(workload_id=wid))
    text = [line["message"] for line in everything["logs"]]
    assert text[-1].endswith("submitted for scheduling")
    assert 'Pulling image "containous/whoami:latest"' in text
    assert "Started container whoami" in text or any(m.startswith("Started container") for m in text)
    # Paging with the tool's offset and limit; next carries the level.
    page = run(obs_tools.workload_logs_get(workload_id=wid, limit=2, offset=1, level="debug"))
    assert [line["message"] for line in page["logs"]] == text[1:3]
    assert "offset=3" in page["next"] and "level=debug" in page["next"]
    assert run(obs_tools.workload_logs_get(workload_id=wid, level="error"))["logs"] == []


def test_launch_failure_is_an_error_line(client: WorkloadApiClient, drtools_env: Emulator) -> None:
    # The instant lifecycle launches on the next request: the rule must exist first.
    drtools_env.add_fault({"action": "launchFailure", "times": 1, "message": "CrashLoopBackOff: exit code 137"})
    created = create_from_builder(client)
    assert wait_for_status(drtools_env, created["id"], "errored") == "errored"
    errors = run(obs_tools.workload_logs_get(workload_id=created["id"], level="error"))
    assert [(line["level"], line["message"]) for line in errors["logs"]] == [
        ("error", "CrashLoopBackOff: exit code 137")]


# -- errors the tools map --------------------------------------------------------------


def test_validation_error_reaches_the_tool_as_upstream(client: WorkloadApiClient, drtools_env: Emulator) -> None:
    artifact = new_artifact(client, "whoami-bad-runtime")
    bad = {"name": "bad", "artifactId": artifact["id"],
           "runtime": {"containerGroups": [{"name": "default", "replicaCount": 0}]}}
    with pytest.raises(ClientError) as caught:
        client.create_workload(bad)
    assert caught.value.status_code == 422
    issue = caught.value.json["detail"][0]
    assert issue["loc"] == ["body", "runtime", "containerGroups", 0, "replicaCount"]
    with pytest.raises(ToolError) as tool_caught:
        run(workload_tools.workload_create(payload=bad))
    assert tool_caught.value.kind == ToolErrorKind.UPSTREAM
    assert "(422)" in str(tool_caught.value)


def test_version_check_precedes_every_call(drtools_env: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """request_user_dr_client() builds a new dr client per call, and each one GETs version/."""
    seen: list[tuple[str, str, str]] = []
    original = requests.Session.send

    def spy(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seen.append((request.method or "", request.url or "", request.headers.get("Authorization", "")))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", spy)
    WorkloadApiClient().list_workloads(limit=5)
    assert seen == [
        ("GET", f"{drtools_env.api}/version/", f"Token {TOKEN}"),
        ("GET", f"{drtools_env.api}/workloads/?limit=5&offset=0", f"Token {TOKEN}"),
    ]


def test_sandboxed_endpoint(drtools_env: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that only takes a base URL gets its own sandbox from the path."""
    from datarobot_genai.drmcputils import credentials

    sandboxed = f"{drtools_env.root}/sandboxes/drtools-a/api/v2"
    monkeypatch.setenv("DATAROBOT_ENDPOINT", sandboxed)
    credentials._credentials = None
    created = create_from_builder(WorkloadApiClient())
    assert created["endpoint"] == f"{sandboxed}/endpoints/workloads/{created['id']}/"
    assert [w["id"] for w in WorkloadApiClient().list_workloads()["data"]] == [created["id"]]
    assert drtools_env.call("GET", "workloads").json()["totalCount"] == 0, "default sandbox untouched"
