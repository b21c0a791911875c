"""The official `datarobot` package against the emulator.

`dr.Client()` connects (GET version/, `Authorization: Token ...`), and its generic REST
calls (`get/post/delete` on the client, paths joined onto the endpoint) drive the
workload flow: create, poll (moving the manual clock), invoke, delete. docs/CLIENTS.md
describes what the client does on each step.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import datarobot as dr
import pytest
import requests
from datarobot._version import __expected_server_version__, __version__
from datarobot.errors import ClientError

from support import TOKEN, WHOAMI_ARTIFACT, Emulator

PAYLOAD: dict[str, Any] = {"name": "hello-sdk", "artifact": WHOAMI_ARTIFACT}


class Sent:
    """Records what the client puts on the wire (requests.Session.send), and passes it on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.requests: list[requests.PreparedRequest] = []
        original = requests.Session.send

        def spy(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            self.requests.append(request)
            return original(session, request, **kwargs)

        monkeypatch.setattr(requests.Session, "send", spy)


def poll_until(client: Any, emulator: Emulator, path: str, target: str) -> dict[str, Any]:
    """The client's own GET in a loop; the manual clock moves instead of time.sleep."""
    doc = client.get(path).json()
    for _ in range(60):
        if doc["status"] == target:
            break
        emulator.advance(1)
        doc = client.get(path).json()
    return doc


def test_client_connects_with_version_check_and_token(dr_env: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = Sent(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = dr.Client()
    assert client.endpoint == dr_env.api

    version = sent.requests[0]
    assert (version.method, version.url) == ("GET", f"{dr_env.api}/version/")
    assert version.headers["Authorization"] == f"Token {TOKEN}"
    assert version.headers["User-Agent"].startswith(f"DataRobotPythonClient/{__version__} (")
    assert len(sent.requests) == 1, "dr.Client() makes exactly one request on connect"

    # A versionString older or newer than the client's expectation makes it warn
    # ("Client version is ahead...") or refuse; the emulator must answer what it expects.
    version_warnings = [str(w.message) for w in caught if "version" in str(w.message).lower()]
    assert version_warnings == []


def test_version_document(dr_env: Emulator) -> None:
    resp = requests.get(f"{dr_env.api}/version/", headers={"Authorization": f"Token {TOKEN}"}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.json()
    assert body["versionString"] == __expected_server_version__
    assert (body["major"], body["minor"]) == tuple(int(x) for x in __expected_server_version__.split("."))


def test_emulator_journal_shows_the_connect_request(dr_env: Emulator) -> None:
    dr.Client()
    entries = dr_env.journal(method="GET", path="/api/v2/version/")
    assert [e["status"] for e in entries] == [200], "the version check is journaled once"
    headers = entries[0]["headers"]
    assert headers["Authorization"] == f"Token {TOKEN}"
    assert headers["User-Agent"].startswith(f"DataRobotPythonClient/{__version__} (")


def test_bad_token_is_refused_on_connect(start_emulator: Any) -> None:
    emulator = start_emulator("--auth", "strict")
    with pytest.raises(ClientError) as caught:
        dr.Client(endpoint=emulator.api, token="not-a-fixture-token")
    assert caught.value.status_code == 401
    assert "Unable to authenticate" in str(caught.value)


def test_bad_token_is_refused_on_a_call(start_emulator: Any) -> None:
    emulator = start_emulator("--auth", "strict")
    # A client built without the connect-time version check, so this test holds whether
    # or not version/ authenticates (D5): the first workload call must be refused.
    client = dr.rest.RESTClientObject(auth="not-a-fixture-token", endpoint=emulator.api)
    with pytest.raises(ClientError) as caught:
        client.get("workloads/")
    assert caught.value.status_code == 401
    # For 401 the client prints its own sentence and keeps the body as .json.
    assert "not properly authenticated" in str(caught.value)
    assert caught.value.json == {"message": "Invalid API key"}


def test_generic_rest_create_poll_delete(dr_env: Emulator) -> None:
    client = dr.Client()
    created = client.post("workloads/", json=copy.deepcopy(PAYLOAD))
    assert created.status_code == 201
    assert created.headers["Content-Type"] == "application/json"
    wid = created.json()["id"]
    assert created.json()["status"] == "submitted"

    doc = poll_until(client, dr_env, f"workloads/{wid}/", "running")
    assert doc["status"] == "running"

    gone = client.delete(f"workloads/{wid}/")
    assert gone.status_code == 204 and gone.content == b""
    with pytest.raises(ClientError) as caught:
        client.get(f"workloads/{wid}")
    assert caught.value.status_code == 404


def test_generic_rest_flow_with_invoke(dr_env: Emulator) -> None:
    client = dr.Client()
    wid = client.post("workloads", json=copy.deepcopy(PAYLOAD)).json()["id"]
    assert poll_until(client, dr_env, f"workloads/{wid}", "running")["status"] == "running"

    # The generic calls join relative paths onto the endpoint (rest.py:221-242).
    echoed = client.get(f"endpoints/workloads/{wid}/hello", params={"q": "1"})
    assert echoed.status_code == 200
    body = echoed.json()
    assert body["method"] == "GET" and body["workloadId"] == wid
    posted = client.post(f"endpoints/workloads/{wid}/predict", json={"rows": [1, 2]})
    assert posted.status_code == 200 and posted.json()["method"] == "POST"

    # The workload's own `endpoint` URL is absolute; the client uses it unjoined.
    endpoint = client.get(f"workloads/{wid}").json()["endpoint"]
    assert client.get(endpoint + "health").status_code == 200

    assert client.delete(f"workloads/{wid}").status_code == 204


def test_paths_with_and_without_trailing_slash_never_redirect(dr_env: Emulator) -> None:
    client = dr.Client()
    wid = client.post("workloads", json=copy.deepcopy(PAYLOAD)).json()["id"]
    for path in ("workloads", "workloads/", f"workloads/{wid}", f"workloads/{wid}/", "version", "account/info/"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.history == [], f"{path} redirected"


def test_every_error_is_a_client_error_with_its_json_body(dr_env: Emulator) -> None:
    client = dr.Client()
    # 405: handle_http_error reads response.headers["content-type"] and compares it to
    # "application/json" literally (rest.py:405-415); a missing header would be KeyError.
    for call, status in (
        (lambda: client.put("workloads/", json={"name": "x"}), 405),
        (lambda: client.get("no/such/route"), 404),
        (lambda: client.post("workloads/", data=b"not json", headers={"Content-Type": "application/json"}), 400),
        (lambda: client.post("workloads/", json={"name": "x", "unknownField": 1}), 422),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.status_code == status
        assert "detail" in caught.value.json
        assert f"{status} client error: {{'detail'" in str(caught.value)


def test_sandbox_prefix_in_the_endpoint(dr_env: Emulator) -> None:
    sandboxed = f"{dr_env.root}/sandboxes/client-tests/api/v2"
    client = dr.Client(endpoint=sandboxed, token=TOKEN)
    created = client.post("workloads/", json=copy.deepcopy(PAYLOAD)).json()
    assert created["endpoint"] == f"{sandboxed}/endpoints/workloads/{created['id']}/"
    assert [w["id"] for w in client.get("workloads/").json()["data"]] == [created["id"]]
    assert dr_env.call("GET", "workloads/").json()["data"] == [], "the default sandbox stays empty"
    dr.client.set_client(None)  # type: ignore[arg-type]


def test_429_with_retry_after_is_retried_by_the_client(dr_env: Emulator) -> None:
    """datarobot's default Retry retries 413/429/502/503/504 on every verb (rest.py:164-181)."""
    client = dr.Client()
    dr_env.add_fault({
        "match": {"method": "GET", "path": "/api/v2/workloads"},
        "action": "respond", "status": 429, "body": {"detail": "Too many requests."},
        "headers": {"Retry-After": "0"}, "times": 1,
    })
    resp = client.get("workloads")
    assert resp.status_code == 200, "the injected 429 was retried and the retry served"
    raw = requests.get(f"{dr_env.api}/workloads", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert raw.status_code == 200, "times: 1 fired once, for the client's first attempt"
