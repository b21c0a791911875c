import JSON

/// The platform around the Workload API that DataRobot's clients call on the way:
/// compute bundles, the emulated containers' logs and what is derived from them
/// (traces, autocollected metrics), credentials and execution environments.
extension World {
    // MARK: Compute bundles

    /// A runtime's `resourceBundles` must each name a listed bundle: checked with the
    /// rest of a runtime (create, settings, replacement).
    func checkBundles(_ runtime: JSONValue) throws(DomainError) {
        for (i, group) in (runtime["containerGroups"]?.arrayValue ?? []).enumerated() {
            guard let names = group["resourceBundles"]?.arrayValue else { continue }
            for (j, name) in names.enumerated() {
                guard let id = name.stringValue else {
                    throw .unprocessable(
                        "runtime.containerGroups[\(i)].resourceBundles[\(j)] must be a bundle id (a string).")
                }
                if platform.bundle(id) == nil {
                    throw .unprocessable(
                        "Unknown resource bundle '\(id)' at runtime.containerGroups[\(i)].resourceBundles[\(j)]: "
                            + "it is not one of GET /api/v2/mlops/compute/bundles/ ("
                            + platform.bundles.map(\.id).joined(separator: ", ") + ").")
                }
            }
        }
    }

    /// The bundle a container group is scheduled with (`bundleSelectionPolicy:
    /// availability`): the first bundle it names that fits what its containers ask for,
    /// else the first it names; naming none, the first of the catalogue that fits.
    func resolveBundle(_ group: JSONValue) -> ComputeBundle? {
        var cpu = 0.0
        var memory: Int64 = 0
        var gpu = 0
        for c in group["containers"]?.arrayValue ?? [] {
            let asked = c["resourceAllocation"] ?? c["resourceRequest"]
            cpu += asked?["cpu"]?.numberValue ?? 0
            if let m = asked?["memory"]?.numberValue, m > 0, m < 9e18 { memory = memory &+ Int64(m) }
            if let g = asked?["gpu"]?.numberValue, g > 0, g < 1e9 { gpu += Int(g) }
        }
        let named = (group["resourceBundles"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(platform.bundle) }
        if !named.isEmpty {
            return named.first { $0.fits(cpu: cpu, memoryBytes: memory, gpu: gpu) } ?? named[0]
        }
        return platform.bundles.first { $0.fits(cpu: cpu, memoryBytes: memory, gpu: gpu) }
    }

    /// `runtime` with the `resolvedBundle` (and the default `bundleSelectionPolicy`) of
    /// every container group that names `resourceBundles` filled in: what scheduling
    /// writes. A group that names none is left as the client sent it.
    func resolvingBundles(_ runtime: JSONValue) -> JSONValue {
        guard var top = runtime.objectValue, let groups = top["containerGroups"]?.arrayValue,
            groups.contains(where: { !($0["resourceBundles"]?.arrayValue ?? []).isEmpty })
        else { return runtime }
        top["containerGroups"] = .array(
            groups.map { g in
                guard var o = g.objectValue, !(g["resourceBundles"]?.arrayValue ?? []).isEmpty else { return g }
                if o["bundleSelectionPolicy"] == nil || o["bundleSelectionPolicy"]?.isNull == true {
                    o["bundleSelectionPolicy"] = "availability"
                }
                o["resolvedBundle"] = resolveBundle(g)?.resolved ?? .null
                return .object(o)
            })
        return .object(top)
    }

    // MARK: Logs

    /// The lines a lifecycle transition writes into the workload's log (from `enter`).
    mutating func logTransition(
        _ id: String, from: WorkloadStatus, to: WorkloadStatus, protonId: String?, failure: String?
    ) {
        guard let w = workloads[id] else { return }
        let containers = primaryContainers(of: w)
        let pid = protonId.map { " \($0)" } ?? ""
        var lines: [(WorkloadLogLine.Level, String)] = []
        switch to {
        case .submitted:
            lines.append((.info, "Proton\(pid) submitted for scheduling"))
        case .provisioning:
            let runtime = resolvingBundles(w.runtime)
            let bundles = (runtime["containerGroups"]?.arrayValue ?? []).compactMap {
                $0["resolvedBundle"]?["id"]?.stringValue
            }
            workloads.update(id) { $0.runtime = runtime }
            let on = bundles.isEmpty ? "" : " with bundle " + bundles.joined(separator: ", ")
            lines.append((.info, "Scheduled proton\(pid) onto node emulator-node-1\(on)"))
        case .launching:
            for c in containers { lines.append((.info, "Pulling image \"\(c.image)\"")) }
        case .running:
            for c in containers {
                lines.append((.info, "Successfully pulled image \"\(c.image)\""))
                lines.append((.info, "Created container \(c.name)"))
                lines.append((.info, "Started container \(c.name)"))
            }
            for c in containers {
                lines.append((.info, "Readiness probe passed for container \(c.name): \(c.probe)"))
            }
        case .errored:
            lines.append((.error, failure ?? "Container failed to start"))
        case .stopping:
            for c in containers { lines.append((.info, "Stopping container \(c.name)")) }
        case .stopped:
            for c in containers { lines.append((.info, "Container \(c.name) stopped (exit code 0)")) }
        default:
            lines.append((.info, "Proton\(pid) is \(to.rawValue)"))
        }
        let now = self.now
        workloads.update(id) { w in
            for (level, message) in lines { w.logs.append(at: now, level: level, message, protonId: protonId) }
        }
        changes.logsAppended[id, default: 0] += lines.count
    }

    /// One line per replacement step (from the replacement's event notes). The caller
    /// stores `w` back and counts the line in `changes.logsAppended`.
    static func logReplacement(_ w: inout Workload, kind: WorkloadEvent.Kind, message: String?, at: Int64) {
        let level: WorkloadLogLine.Level = kind == .replacementFailed ? .error : .info
        let text = message ?? WorkloadEvent(number: 0, workloadId: w.id, kind: kind, at: at).text
        w.logs.append(at: at, level: level, text, protonId: w.replacement?.candidateProtonId ?? w.protonId)
    }

    /// The access line of one finished invoke (from `finishInvocation`).
    mutating func logAccess(_ target: InvokeTarget, status: Int, latencyMs: Double, method: String, path: String) {
        let level: WorkloadLogLine.Level = status >= 500 ? .error : (status >= 400 ? .warning : .info)
        let ms = (latencyMs.isFinite ? max(0, latencyMs) : 0)
        let rounded = (ms * 1000).rounded() / 1000
        let shown = path.isEmpty ? "/" : path
        let access = WorkloadLogLine.Access(
            method: method, path: shown, status: status, latencyMs: rounded, startedAt: target.at)
        let now = self.now
        workloads.update(target.workloadId) {
            $0.logs.append(
                at: now, level: level, "\"\(method) \(shown)\" \(status) \(rounded)ms", protonId: target.protonId,
                access: access)
        }
        changes.logsAppended[target.workloadId, default: 0] += 1
    }

    struct ContainerLine {
        var name: String
        var image: String
        var probe: String
    }

    /// The artifact's containers (names, images, readiness probes), for the lifecycle lines.
    func primaryContainers(of w: Workload) -> [ContainerLine] {
        let spec = artifacts[w.artifactId]?.spec ?? .null
        var out: [ContainerLine] = []
        for g in spec["containerGroups"]?.arrayValue ?? [] {
            for c in g["containers"]?.arrayValue ?? [] {
                let name = c["name"]?.stringValue ?? "main"
                let image = c["imageUri"]?.stringValue ?? "unknown"
                let port = c["readinessProbe"]?["port"]?.intValue ?? c["port"]?.intValue ?? 8080
                let path = c["readinessProbe"]?["path"]?.stringValue ?? "/"
                out.append(ContainerLine(name: name, image: image, probe: "HTTP GET \(path) on port \(port)"))
            }
        }
        if out.isEmpty { out.append(ContainerLine(name: "main", image: "unknown", probe: "HTTP GET / on port 8080")) }
        return out
    }

    /// Trace and span ids of this sandbox's access lines.
    public var traceIdentity: TraceIdentity { TraceIdentity(base: eventIdBase) }

    public func traceId(of line: WorkloadLogLine, workloadId: String) -> String? {
        traceIdentity.traceId(of: line, workloadId: workloadId)
    }

    /// A page of a workload's log, newest first (readable by anyone who may read it).
    public func workloadLogs(
        _ id: String, _ q: WorkloadLog.Query, for user: User
    ) throws(DomainError) -> (lines: [WorkloadLogLine], total: Int) {
        let w = try workload(id, for: user)
        let ids = traceIdentity
        return w.logs.page(
            q, traceId: { ids.traceId(of: $0, workloadId: id) }, spanId: { ids.spanId(of: $0, workloadId: id) })
    }

    // MARK: Credentials

    /// Adds a credential (`POST /api/v2/credentials/`); names are unique in the sandbox.
    public mutating func createCredential(
        name: String, credentialType: String, description: String?, by user: User
    ) throws(DomainError) -> Credential {
        if platform.credentials.contains(where: { $0.name == name }) {
            throw .conflict("A credential named '\(name)' already exists.")
        }
        let c = Credential(
            id: ids.next(), name: name, description: description, credentialType: credentialType, createdAt: now,
            creatorId: user.id)
        platform.credentials.append(c)
        changes.credentials = true
        touch()
        return c
    }

    public func credential(_ id: String) throws(DomainError) -> Credential {
        guard let c = platform.credentials.first(where: { $0.id == id }) else {
            throw .notFound("Credential not found.")
        }
        return c
    }

    public mutating func deleteCredential(_ id: String) throws(DomainError) {
        guard let i = platform.credentials.firstIndex(where: { $0.id == id }) else {
            throw .notFound("Credential not found.")
        }
        platform.credentials.remove(at: i)
        changes.credentials = true
        touch()
    }

    // MARK: Execution environments

    public func executionEnvironment(_ id: String) throws(DomainError) -> ExecutionEnvironment {
        guard let e = platform.executionEnvironments.first(where: { $0.id == id }) else {
            throw .notFound("Execution environment not found.")
        }
        return e
    }
}

/// The ids of an access line's trace: deterministic from the sandbox (its seed and
/// name), the workload and the line's number, so the same requests give the same ids.
public struct TraceIdentity: Sendable {
    let base: UInt64

    /// 32 hex characters.
    public func traceId(of line: WorkloadLogLine, workloadId: String) -> String? {
        guard line.access != nil else { return nil }
        var r = SplitMix64(seed: base ^ IdGenerator.fnv1a(workloadId) &+ line.number &* 0xD1B5_4A32_D192_ED03)
        return IdGenerator.hex(r.next(), digits: 16) + IdGenerator.hex(r.next(), digits: 16)
    }

    /// The root span: 16 hex characters.
    public func spanId(of line: WorkloadLogLine, workloadId: String) -> String? {
        guard line.access != nil else { return nil }
        var r = SplitMix64(seed: base ^ IdGenerator.fnv1a(workloadId) &+ line.number &* 0xA24B_AED4_963E_E407)
        return IdGenerator.hex(r.next(), digits: 16)
    }
}
