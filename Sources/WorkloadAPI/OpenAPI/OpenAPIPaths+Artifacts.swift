import WorkloadEmulator

/// `/api/v2/artifacts`, `/api/v2/artifactRepositories` and their `/api/v2/registry/` aliases.
extension OpenAPIDocument {
    static func artifactPaths(_ b: inout OpenAPIBuilder, root: String, legacy: Bool) {
        func id(_ s: String) -> String { legacy ? "registry" + s.prefix(1).uppercased() + s.dropFirst() : s }
        let tag = legacy ? "Artifacts (v2.41 alias)" : "Artifacts"
        let item = root + "/{id}"
        let body = Schemas.artifact(nameRequired: true, legacy: legacy).jsonSchema
        b.add(
            APIOperation(
                method: "POST", path: root, id: id("createArtifact"), summary: "Create an artifact", tag: tag,
                body: body, bodyName: legacy ? nil : "InputArtifact",
                responses: [R.status(201, "ArtifactFormatted", "Created."), R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "GET", path: root, id: id("listArtifacts"), summary: "List artifacts", tag: tag,
                parameters: R.window(defaultLimit: legacy ? 100 : 10)
                    + R.filters(["search", "ids", "status", "artifactStatus", "repositoryId", "createdBy"])
                    + [R.orderBy(["name", "createdAt", "updatedAt", "status"])],
                responses: [R.ok("ArtifactListResponse"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item, id: id("getArtifact"), summary: "Get an artifact", tag: tag,
                responses: [R.ok("ArtifactFormatted"), R.notFound]))
        b.add(
            APIOperation(
                method: "PUT", path: item, id: id("updateArtifact"), summary: "Replace a draft artifact", tag: tag,
                body: body, bodyName: legacy ? nil : "InputArtifact",
                responses: [R.ok("ArtifactFormatted"), R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "PATCH", path: item, id: id("patchArtifact"), summary: "Update or lock an artifact", tag: tag,
                body: Schemas.artifactPatch(legacy: legacy).jsonSchema,
                bodyName: legacy ? nil : "UpdateArtifactRequest",
                responses: [R.ok("ArtifactFormatted"), R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "DELETE", path: item, id: id("deleteArtifact"), summary: "Delete an artifact", tag: tag,
                responses: [R.noContent, R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "POST", path: item + "/clone", id: id("cloneArtifact"), summary: "Clone as a new draft",
                tag: tag, body: Schemas.clone(legacy: legacy).jsonSchema, bodyOptional: legacy,
                bodyName: legacy ? nil : "ArtifactCloneRequest",
                responses: [R.ok("ArtifactFormatted", "The new draft."), R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "POST", path: item + "/builds", id: id("triggerArtifactBuild"), summary: "Build the images",
                tag: tag, body: Schemas.action.jsonSchema, bodyOptional: true,
                responses: [
                    R.status(202, "ImageBuildTriggerResponse", "Builds queued."), R.forbidden, R.notFound, R.conflict,
                ]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/builds", id: id("getArtifactBuildList"), summary: "The artifact's builds",
                tag: tag, parameters: R.window(defaultLimit: legacy ? 100 : 10),
                responses: [R.ok("ImageBuildFormattedList"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/builds/{buildId}", id: id("getArtifactBuild"), summary: "A build",
                tag: tag, responses: [R.ok("ImageBuildFormatted"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "DELETE", path: item + "/builds/{buildId}", id: id("deleteArtifactBuild"),
                summary: "Delete a build", tag: tag, responses: [R.noContent, R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/builds/{buildId}/logs", id: id("getArtifactBuildLogs"),
                summary: "A build's log, one JSON object a line", tag: tag,
                responses: [
                    ("200", OpenAPI.content("The log, one JSON object a line.", "text/plain", OpenAPI.string)),
                    R.forbidden,
                    R.notFound,
                ]))
        sharingPaths(&b, item: item, id: id("artifact"), tag: tag)
    }

    static func repositoryPaths(_ b: inout OpenAPIBuilder, root: String, legacy: Bool) {
        func id(_ s: String) -> String { legacy ? "registry" + s.prefix(1).uppercased() + s.dropFirst() : s }
        let tag = legacy ? "Artifact repositories (v2.41 alias)" : "Artifact repositories"
        let item = root + "/{id}"
        b.add(
            APIOperation(
                method: "GET", path: root, id: id("listArtifactRepositories"), summary: "List repositories", tag: tag,
                parameters: R.window(defaultLimit: legacy ? 100 : 10) + R.filters(["search", "ids", "createdBy"])
                    + [R.orderBy(["name", "createdAt"])],
                responses: [R.ok("ArtifactRepositoryListResponse"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item, id: id("getArtifactRepository"), summary: "Get a repository", tag: tag,
                responses: [R.ok("ArtifactRepositoryFormatted"), R.notFound]))
        b.add(
            APIOperation(
                method: "DELETE", path: item, id: id("deleteArtifactRepository"), summary: "Delete a repository",
                tag: tag,
                parameters: [
                    OpenAPI.query(
                        "cascade", OpenAPI.boolean,
                        "Delete its locked artifacts too (unused drafts always go; 409 if one backs a workload).")
                ],
                responses: [R.noContent, R.forbidden, R.notFound, R.conflict, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/artifacts", id: id("listArtifactRepositoryArtifacts"),
                summary: "The repository's artifacts, oldest first", tag: tag,
                parameters: R.window(defaultLimit: legacy ? 100 : 10),
                responses: [R.ok("ArtifactListResponse"), R.notFound, R.unprocessable]))
        sharingPaths(&b, item: item, id: id("artifactRepository"), tag: tag)
    }

    static func deploymentPaths(_ b: inout OpenAPIBuilder, root: String) {
        let tag = "Deployments (v2.41)"
        let item = root + "/{id}"
        b.add(
            APIOperation(
                method: "POST", path: root, id: "createDeployment", summary: "Create a deployment of a workload",
                tag: tag, body: Schemas.deploymentCreate.jsonSchema,
                responses: [R.status(201, "Deployment", "Created."), R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "GET", path: root, id: "listDeployments", summary: "List deployments", tag: tag,
                parameters: R.window(defaultLimit: 100) + R.filters(["search", "ids", "importance", "createdBy"])
                    + [R.orderBy(["name", "createdAt", "updatedAt", "status", "importance"])],
                responses: [R.ok("DeploymentList"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item, id: "getDeployment", summary: "Get a deployment", tag: tag,
                responses: [R.ok("Deployment"), R.notFound]))
        b.add(
            APIOperation(
                method: "PATCH", path: item, id: "updateDeployment", summary: "Update a deployment", tag: tag,
                body: Schemas.deploymentPatch.jsonSchema, responses: [R.ok("Deployment"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "DELETE", path: item, id: "deleteDeployment", summary: "Delete a deployment", tag: tag,
                responses: [R.noContent, R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/stats", id: "getDeploymentStats", summary: "Request statistics",
                tag: tag, responses: [R.ok("DeploymentStats"), R.notFound, R.unprocessable]))
    }
}
