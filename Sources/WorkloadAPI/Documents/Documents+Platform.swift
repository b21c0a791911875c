import JSON
import WorkloadEmulator

/// The platform routes' documents, in the shapes DataRobot's clients read
/// (docs/CLIENTS.md, "Platform routes").
extension Documents {
    static func bundle(_ b: ComputeBundle) -> JSONValue {
        [
            "id": .string(b.id), "name": .string(b.name), "description": .string(b.description),
            "cpuCount": b.cpuCount.rounded() == b.cpuCount ? .int(Int64(b.cpuCount)) : .double(b.cpuCount),
            "memoryBytes": .int(b.memoryBytes), "gpuCount": .int(Int64(b.gpuCount)), "gpuMaker": .optional(b.gpuMaker),
            "gpuTypeLabel": .optional(b.gpuTypeLabel),
            "gpuMemoryBytes": b.gpuMemoryBytes.map { .int($0) } ?? .null,
            "hasGpu": .bool(b.gpuCount > 0), "useCases": .array(b.useCases.map { .string($0) }),
        ]
    }

    /// The log gateway's timestamp: Python's `str(datetime)` of a UTC time
    /// (`2026-01-01 00:00:01.500000+00:00`, no fraction on a whole second), which
    /// DataRobot's CLI parses first.
    static func logTimestamp(_ ms: Int64) -> String {
        let iso = Timestamp.format(ms)  // YYYY-MM-DDTHH:MM:SS.mmmZ
        let millis = iso.dropFirst(20).prefix(3)
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(8) + (millis == "000" ? "" : "." + millis + "000")
            + "+00:00"
    }

    static func logLine(_ l: WorkloadLogLine, workloadId: String, ids: TraceIdentity) -> JSONValue {
        var attributes = JSONObject()
        attributes.append("workload_id", .string(workloadId))
        if let p = l.protonId { attributes.append("proton_id", .string(p)) }
        if let a = l.access {
            attributes.append("http.method", .string(a.method))
            attributes.append("http.target", .string(a.path))
            attributes.append("http.status_code", .int(Int64(a.status)))
        }
        return [
            "timestamp": .string(logTimestamp(l.at)), "level": .string(l.level.name), "message": .string(l.message),
            "spanId": .optional(ids.spanId(of: l, workloadId: workloadId)),
            "traceId": .optional(ids.traceId(of: l, workloadId: workloadId)), "stacktrace": .null,
            "protonId": .optional(l.protonId), "attributes": .object(attributes),
        ]
    }

    static func nanos(_ ms: Double) -> JSONValue { .int(Int64((ms * 1_000_000).rounded())) }

    /// A trace summary; the spans are the edge proxy's and the container's.
    static func traceSummary(_ l: WorkloadLogLine, _ w: Workload, ids: TraceIdentity) -> JSONValue {
        let a = l.access!
        return [
            "traceId": .optional(ids.traceId(of: l, workloadId: w.id)),
            "rootSpanName": .string("\(a.method) \(a.path)"), "rootServiceName": .string(w.name),
            "timestamp": .string(Timestamp.format(a.startedAt)), "startTime": .string(Timestamp.format(a.startedAt)),
            "duration": nanos(a.latencyMs), "spansCount": 2, "errorSpansCount": .int(a.status >= 500 ? 2 : 0),
            "statusCode": .int(Int64(a.status)),
        ]
    }

    static func trace(_ l: WorkloadLogLine, _ w: Workload, ids: TraceIdentity) -> JSONValue {
        let a = l.access!
        guard case var .object(summary) = traceSummary(l, w, ids: ids) else { return .null }
        let traceId = ids.traceId(of: l, workloadId: w.id) ?? ""
        let root = ids.spanId(of: l, workloadId: w.id) ?? ""
        let child = String(root.reversed())
        let error = a.status >= 500
        func span(_ id: String, parent: String?, name: String, service: String, latency: Double) -> JSONValue {
            [
                "spanId": .string(id), "parentSpanId": .optional(parent), "traceId": .string(traceId),
                "name": .string(name), "serviceName": .string(service), "kind": "SERVER",
                "startTime": .string(Timestamp.format(a.startedAt)), "duration": nanos(latency),
                "statusCode": .string(error ? "ERROR" : "OK"),
                "statusMessage": error ? .string("HTTP \(a.status)") : .null,
                "attributes": [
                    "http.method": .string(a.method), "http.url": .string(w.id + a.path),
                    "http.status_code": .int(Int64(a.status)), "proton.id": .optional(l.protonId),
                ],
            ]
        }
        summary["spans"] = [
            span(root, parent: nil, name: "\(a.method) \(a.path)", service: w.name, latency: a.latencyMs),
            span(
                child, parent: root, name: "container \(a.method)", service: w.name + "-container",
                latency: a.latencyMs * 0.9),
        ]
        return .object(summary)
    }

    static func credential(_ c: Credential) -> JSONValue {
        [
            "credentialId": .string(c.id), "name": .string(c.name), "description": .optional(c.description),
            "credentialType": .string(c.credentialType), "creationDate": .string(Timestamp.format(c.createdAt)),
            "configId": .null,
        ]
    }

    static func environmentVersion(_ v: ExecutionEnvironment.Version, of e: ExecutionEnvironment) -> JSONValue {
        [
            "id": .string(v.id), "environmentId": .string(e.id), "label": .string(v.label),
            "description": .string(v.description), "buildStatus": .string(v.buildStatus),
            "sourceDockerImageUri": .string(v.dockerImageUri), "dockerImageUri": .string(v.dockerImageUri),
            "imageId": .string(v.id), "created": .string(Timestamp.format(v.createdAt)),
        ]
    }

    static func executionEnvironment(_ e: ExecutionEnvironment) -> JSONValue {
        [
            "id": .string(e.id), "name": .string(e.name), "description": .string(e.description),
            "programmingLanguage": .string(e.programmingLanguage), "useCases": .array(e.useCases.map { .string($0) }),
            "isPublic": .bool(e.isPublic), "created": .string(Timestamp.format(e.createdAt)),
            "latestVersion": e.latestVersion.map { environmentVersion($0, of: e) } ?? .null,
            "latestSuccessfulVersion": e.latestSuccessfulVersion.map { environmentVersion($0, of: e) } ?? .null,
        ]
    }
}
