import JSON
import WorkloadEmulator

/// Stored runtimes and specs are kept as the client sent them (every accepted field);
/// a response shows the fields the contract's response schema has, in its shape.
extension Documents {
    /// The keys each object of a response may hold; `nil` below a key: any value.
    indirect enum Shape: Sendable {
        case object([(String, Shape?)])
        case array(Shape)
    }

    /// Keys whose response schema takes no null: a null stored under the legacy
    /// prefixes' looser rules is left out instead.
    static let neverNull: Set<String> = ["description", "environmentVars", "resourceBundles", "containers", "policies"]

    static func projected(_ value: JSONValue, _ shape: Shape) -> JSONValue {
        switch (shape, value) {
        case let (.array(item), .array(values)): return .array(values.map { projected($0, item) })
        case let (.object(keys), .object(o)):
            var out = JSONObject()
            for (k, v) in o {
                if v.isNull && neverNull.contains(k) { continue }
                guard let entry = keys.first(where: { $0.0 == k }) else { continue }
                out.append(k, entry.1.map { projected(v, $0) } ?? v)
            }
            return .object(out)
        default: return value
        }
    }

    static let resourceAllocationShape = Shape.object([("cpu", nil), ("gpu", nil), ("memory", nil), ("gpuMemory", nil)])

    /// `GroupRuntime`.
    static let groupRuntimeShape = Shape.object([
        ("name", nil), ("replicaCount", nil),
        (
            "autoscaling",
            .object([
                ("enabled", nil),
                (
                    "policies",
                    .array(
                        .object([
                            ("scalingMetric", nil), ("target", nil), ("minCount", nil), ("maxCount", nil),
                            ("priority", nil),
                        ]))
                ),
            ])
        ),
        ("bundleSelectionPolicy", nil), ("resourceBundles", nil),
        (
            "resolvedBundle",
            .object(["id", "cpuCount", "memoryBytes", "gpuCount", "gpuMaker", "gpuTypeLabel"].map { ($0, nil) })
        ),
        ("containers", .array(.object([("name", nil), ("resourceAllocation", resourceAllocationShape)]))),
    ])

    static let probeShape = Shape.object(
        [
            "path", "port", "scheme", "host", "httpHeaders", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
            "failureThreshold",
        ].map { ($0, nil) })

    /// `Container` of an artifact spec.
    static let containerShape = Shape.object([
        ("name", nil), ("description", nil), ("imageUri", nil), ("port", nil), ("primary", nil), ("entrypoint", nil),
        ("environmentVars", nil), ("imageBuildConfig", nil), ("build", nil), ("securityContext", nil),
        ("readinessProbe", probeShape), ("livenessProbe", probeShape), ("startupProbe", probeShape),
    ])

    static let containerGroupShape = Shape.object([("name", nil), ("containers", .array(containerShape))])

    /// `WorkloadRuntime`. Autoscaling in the newer form (`minReplicaCount`/`maxReplicaCount`
    /// on the group) shows those bounds as each policy's `minCount`/`maxCount`.
    static func runtime(_ runtime: JSONValue) -> JSONValue {
        guard var o = runtime.objectValue else { return runtime }
        let groups = (o["containerGroups"]?.arrayValue ?? []).map { g -> JSONValue in
            guard var scaling = g["autoscaling"]?.objectValue else { return projected(g, groupRuntimeShape) }
            let low = scaling["minReplicaCount"]
            let high = scaling["maxReplicaCount"]
            if low != nil || high != nil {
                scaling["policies"] = .array(
                    (scaling["policies"]?.arrayValue ?? []).map { p in
                        guard var po = p.objectValue else { return p }
                        if po["minCount"] == nil { po["minCount"] = low ?? 0 }
                        if po["maxCount"] == nil { po["maxCount"] = high ?? low ?? 0 }
                        return .object(po)
                    })
            }
            var group = g.objectValue ?? JSONObject()
            group["autoscaling"] = .object(scaling)
            return projected(.object(group), groupRuntimeShape)
        }
        o = JSONObject()
        o.append("containerGroups", .array(groups))
        return .object(o)
    }

    /// The `api-key` env source (Terraform's, newer than v11.5) is kept but not shown: the
    /// v11.5 variables are `string` or `dr-credential` only.
    static func withoutAPIKeyVariables(_ groups: JSONValue) -> JSONValue {
        guard case let .array(gs) = groups else { return groups }
        return .array(
            gs.map { g in
                guard var go = g.objectValue, let cs = go["containers"]?.arrayValue else { return g }
                go["containers"] = .array(
                    cs.map { c in
                        guard var co = c.objectValue, let vars = co["environmentVars"]?.arrayValue else { return c }
                        co["environmentVars"] = .array(vars.filter { $0["source"]?.stringValue != "api-key" })
                        return .object(co)
                    })
                return .object(go)
            })
    }

    /// `ServiceArtifactSpec` / `NimArtifactSpec`: `type` first, then the groups. With a
    /// build, each container shows it (`build`), and its image once it completed.
    static func spec(_ spec: JSONValue, type: String, build: ArtifactBuild? = nil) -> JSONValue {
        var o = JSONObject()
        o.append("type", .string(shownType(spec["type"]?.stringValue ?? type)))
        var groups = projected(spec["containerGroups"] ?? [], .array(containerGroupShape))
        groups = withoutAPIKeyVariables(groups)
        if let build, case let .array(gs) = groups {
            let info: JSONValue = [
                "artifactImageBuildId": .string(build.id), "status": .string(build.status.rawValue),
                "createdAt": .string(Timestamp.format(build.createdAt)),
            ]
            groups = .array(
                gs.map { g in
                    guard var go = g.objectValue, let cs = go["containers"]?.arrayValue else { return g }
                    go["containers"] = .array(
                        cs.map { c in
                            guard var co = c.objectValue else { return c }
                            co["build"] = info
                            if let image = build.imageUri { co["imageUri"] = .string(image) }
                            return .object(co)
                        })
                    return .object(go)
                })
        }
        o.append("containerGroups", groups)
        if type == "nim", let storage = spec["storage"] { o.append("storage", storage) }
        return .object(o)
    }
}
