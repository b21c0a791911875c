"""DataRobot's "Tutorial: Hello, Workload!" flow with plain `requests`, against the emulator.

The tutorial (docs.datarobot.com, workload-api/get-started-workloads/tutorial-hello-world)
connects with `client = dr.Client()`, takes `API_BASE = client.endpoint.rstrip("/")`,
sends `Authorization: Bearer <token>` with plain `requests`, checks every answer with a
`check(resp)` helper that raises on non-2xx after printing the body (so a validation
`detail` shows), deploys `containous/whoami` as a draft Workload with one
`POST /workloads` (inline artifact, no registration), waits for `running`, calls the
Workload's endpoint, and tears it down. The cells are reproduced here in that order;
where the tutorial sleeps between polls, the test advances the manual clock instead.
"""

from __future__ import annotations

import copy
from typing import Any

import datarobot as dr
import pytest
import requests

from support import WHOAMI_ARTIFACT, Emulator


def check(resp: requests.Response) -> requests.Response:
    if not resp.ok:
        print(resp.status_code, resp.text)
    resp.raise_for_status()
    return resp


@pytest.fixture
def tutorial(dr_env: Emulator) -> dict[str, Any]:
    client = dr.Client()
    api_base = client.endpoint.rstrip("/")
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
    return {"API_BASE": api_base, "HEADERS": headers, "emulator": dr_env}


def create_and_wait(t: dict[str, Any]) -> dict[str, Any]:
    api_base, headers, emulator = t["API_BASE"], t["HEADERS"], t["emulator"]
    payload = {"name": "hello-workload", "artifact": copy.deepcopy(WHOAMI_ARTIFACT)}
    resp = check(requests.post(f"{api_base}/workloads", headers=headers, json=payload, timeout=30))
    assert resp.status_code == 201
    workload = resp.json()
    assert workload["status"] == "submitted"

    status = workload["status"]
    for _ in range(60):
        if status in ("running", "errored"):
            break
        emulator.advance(1)  # the tutorial: time.sleep(...)
        workload = check(requests.get(f"{api_base}/workloads/{workload['id']}", headers=headers, timeout=30)).json()
        status = workload["status"]
    assert status == "running", workload
    return workload


def test_hello_workload_create_wait_stop_delete(tutorial: dict[str, Any]) -> None:
    api_base, headers, emulator = tutorial["API_BASE"], tutorial["HEADERS"], tutorial["emulator"]
    workload = create_and_wait(tutorial)
    wid = workload["id"]
    assert workload["endpoint"] == f"{api_base}/endpoints/workloads/{wid}/"

    stop = check(requests.post(f"{api_base}/workloads/{wid}/stop", headers=headers, timeout=30))
    assert stop.status_code == 202
    assert stop.json()["workloadId"] == wid
    emulator.advance(5)
    assert check(requests.get(f"{api_base}/workloads/{wid}", headers=headers, timeout=30)).json()["status"] == "stopped"

    gone = check(requests.delete(f"{api_base}/workloads/{wid}", headers=headers, timeout=30))
    assert gone.status_code == 204
    assert requests.get(f"{api_base}/workloads/{wid}", headers=headers, timeout=30).status_code == 404


def test_hello_workload_invoke(tutorial: dict[str, Any]) -> None:
    api_base, headers = tutorial["API_BASE"], tutorial["HEADERS"]
    workload = create_and_wait(tutorial)
    # The Workload's `endpoint` is the invoke base URL; the app's paths go after it.
    resp = check(requests.get(workload["endpoint"], headers={"Authorization": headers["Authorization"]}, timeout=30))
    assert resp.status_code == 200
    posted = check(requests.post(workload["endpoint"] + "echo", headers=headers, json={"hello": "workload"}, timeout=30))
    assert posted.status_code == 200
    assert "hello" in posted.text
    check(requests.delete(f"{api_base}/workloads/{workload['id']}", headers=headers, timeout=30))


def test_draft_workload_is_removed_after_its_8_hour_ttl(tutorial: dict[str, Any]) -> None:
    api_base, headers, emulator = tutorial["API_BASE"], tutorial["HEADERS"], tutorial["emulator"]
    workload = create_and_wait(tutorial)
    emulator.advance(8 * 3600)
    assert requests.get(f"{api_base}/workloads/{workload['id']}", headers=headers, timeout=30).status_code == 404


def test_partial_delete_is_502_for_a_plain_http_client(tutorial: dict[str, Any]) -> None:
    """Without the SDK's retries the documented 502 (lifecycle-actions seed) is what arrives."""
    api_base, headers, emulator = tutorial["API_BASE"], tutorial["HEADERS"], tutorial["emulator"]
    workload = create_and_wait(tutorial)
    emulator.add_fault({"action": "protonStopFailure", "match": {"workloadId": workload["id"]}})
    resp = requests.delete(f"{api_base}/workloads/{workload['id']}", headers=headers, timeout=30)
    assert resp.status_code == 502
    assert resp.headers["Content-Type"] == "application/json"
    assert workload["protonId"] in resp.json()["detail"]
    assert requests.get(f"{api_base}/workloads/{workload['id']}", headers=headers, timeout=30).status_code == 404
