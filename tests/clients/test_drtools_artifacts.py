"""The artifact, repository, build and OpenAPI calls of drtools' WorkloadApiClient.

Workloads stand on artifacts, and the drtools workload tools use these calls to make
the artifacts they deploy; docs/CLIENTS.md lists the requests each one makes.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from datarobot.errors import ClientError
from datarobot_genai.drmcputils.exceptions import ToolError, ToolErrorKind
from datarobot_genai.drtools.core.clients.datarobot_workload import WorkloadApiClient
from datarobot_genai.drtools.workload import artifact_builds as build_tools
from datarobot_genai.drtools.workload import artifact_repositories as repo_tools
from datarobot_genai.drtools.workload import artifacts as artifact_tools
from datarobot_genai.drtools.workload import openapi_spec

import features
from support import WHOAMI_ARTIFACT, Emulator, run


@pytest.fixture
def client(drtools_env: Emulator) -> WorkloadApiClient:
    return WorkloadApiClient()


@pytest.fixture
def artifact(client: WorkloadApiClient) -> dict[str, Any]:
    return client.create_artifact(copy.deepcopy(WHOAMI_ARTIFACT))


def test_create_with_the_tools_documented_payload(drtools_env: Emulator) -> None:
    # artifact_create's own description (artifacts.py:123-130) puts `type` inside `spec`.
    created = run(artifact_tools.artifact_create(payload={
        "name": "my-svc",
        "spec": {"type": "service", "containerGroups": [{"containers": [
            {"name": "main", "imageUri": "nginx:latest", "primary": True, "port": 8080}]}]},
    }))
    assert created["status"] == "draft" and created["type"] == "service"


def test_get_list_and_filters(client: WorkloadApiClient, artifact: dict[str, Any]) -> None:
    assert artifact["status"] == "draft"
    assert client.get_artifact(artifact["id"])["id"] == artifact["id"]
    listed = run(artifact_tools.artifact_get(search="WHOAMI", status="Draft", artifact_type="service"))
    assert [a["id"] for a in listed["artifacts"]] == [artifact["id"]]
    assert listed["total_count"] == 1
    by_repo = client.list_artifacts(repository_id=artifact["artifactRepositoryId"])
    assert [a["id"] for a in by_repo["data"]] == [artifact["id"]]
    assert client.list_artifacts(status="locked")["data"] == []


def test_update_put_clone_lock_delete(client: WorkloadApiClient, artifact: dict[str, Any]) -> None:
    patched = run(artifact_tools.artifact_update(artifact_id=artifact["id"], name="renamed", description="d"))
    assert patched["name"] == "renamed" and patched["description"] == "d"

    replaced = client.put_artifact(artifact["id"], {**copy.deepcopy(WHOAMI_ARTIFACT), "name": "put-name"})
    assert replaced["name"] == "put-name"

    clone = run(artifact_tools.artifact_action_run(artifact_id=artifact["id"], action="clone", name="the-clone"))
    assert clone["id"] != artifact["id"] and clone["name"] == "the-clone" and clone["status"] == "draft"

    locked = run(artifact_tools.artifact_action_run(artifact_id=artifact["id"], action="lock"))
    assert locked["status"] == "locked"

    deleted = run(artifact_tools.artifact_action_run(artifact_id=clone["id"], action="delete"))
    assert deleted == {"deleted": True, "artifact_id": clone["id"]}
    with pytest.raises(ClientError) as caught:
        client.get_artifact(clone["id"])
    assert caught.value.status_code == 404


def test_repositories(client: WorkloadApiClient, artifact: dict[str, Any]) -> None:
    repo_id = artifact["artifactRepositoryId"]
    listed = run(repo_tools.artifact_repository_get(artifact_type="service"))
    assert repo_id in [r["id"] for r in listed["repositories"]]
    assert run(repo_tools.artifact_repository_get(repository_id=repo_id))["id"] == repo_id
    with pytest.raises(ToolError) as caught:
        run(repo_tools.artifact_repository_get(repository_id="0" * 24))
    assert caught.value.kind == ToolErrorKind.NOT_FOUND


def test_builds(client: WorkloadApiClient, artifact: dict[str, Any], drtools_env: Emulator) -> None:
    triggered = run(build_tools.artifact_build_run_action(artifact_id=artifact["id"], action="trigger"))
    build_id = triggered["buildIds"][0]
    listed = run(build_tools.artifact_get_build(artifact_id=artifact["id"]))
    assert build_id in [b["id"] for b in listed["builds"]]
    drtools_env.advance(3600)
    build = run(build_tools.artifact_get_build(artifact_id=artifact["id"], build_id=build_id, include_logs=True))
    assert build["status"] == "COMPLETED" and build["deployable"] is True
    assert isinstance(build["logs"], str)


def test_openapi_spec_tool(drtools_env: Emulator) -> None:
    openapi_spec._spec_cache.clear()  # the tool caches the parsed document per process
    try:
        overview = run(openapi_spec.read_openapi_spec())
        assert overview["title"]
        workloads = run(openapi_spec.read_openapi_spec(path="/workloads"))
        assert workloads
    finally:
        openapi_spec._spec_cache.clear()


@features.type_filter
def test_type_filter(client: WorkloadApiClient, artifact: dict[str, Any]) -> None:
    assert client.list_artifacts(artifact_type="nim")["data"] == []
    assert [a["id"] for a in client.list_artifacts(artifact_type="service")["data"]] == [artifact["id"]]
    assert client.list_artifact_repositories(artifact_type="nim")["data"] == []


@features.search_by_id
def test_search_matches_partial_id_and_description(client: WorkloadApiClient, artifact: dict[str, Any]) -> None:
    assert [a["id"] for a in client.list_artifacts(search=artifact["id"][:12])["data"]] == [artifact["id"]]
    assert [a["id"] for a in client.list_artifacts(search="simple http SERVER")["data"]] == [artifact["id"]]
