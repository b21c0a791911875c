import JSON
import WorkloadEmulator

/// The platform part of a fixture file: `"bundles"`, `"credentials"` and
/// `"executionEnvironments"`. Bundles and environments given by a file replace the
/// built-in lists of its sandbox; credentials add to them.
public struct FixturePlatform: Sendable {
    var bundles: [ComputeBundle]?
    var credentials: [Credential] = []
    var executionEnvironments: [ExecutionEnvironment]?

    static let keys: Set<String> = ["bundles", "credentials", "executionEnvironments"]

    public var isEmpty: Bool { bundles == nil && credentials.isEmpty && executionEnvironments == nil }

    static func parse(_ r: JSONReader, sandbox: String) throws(JSONPathError) -> FixturePlatform {
        var out = FixturePlatform()
        if let list = r.optional("bundles") {
            var bundles: [ComputeBundle] = []
            for b in try list.array() {
                try b.only([
                    "id", "name", "description", "cpuCount", "memoryBytes", "gpuCount", "gpuMaker", "gpuTypeLabel",
                    "gpuMemoryBytes", "useCases",
                ])
                let id = try b.string("id")
                guard !id.isEmpty, !bundles.contains(where: { $0.id == id }) else {
                    throw b.fail("bundle id must be non-empty and unique")
                }
                let cpu = try b.required("cpuCount").double()
                guard cpu > 0, cpu <= 1024 else {
                    throw JSONPathError(path: b.path + ".cpuCount", reason: "expected 0 < cpuCount <= 1024")
                }
                let memory = try b.int("memoryBytes")
                guard memory > 0 else {
                    throw JSONPathError(path: b.path + ".memoryBytes", reason: "expected a positive integer")
                }
                let gpu = try b.optional("gpuCount")?.int() ?? 0
                guard (0...64).contains(gpu) else {
                    throw JSONPathError(path: b.path + ".gpuCount", reason: "expected 0..64")
                }
                bundles.append(
                    ComputeBundle(
                        id: id, name: try b.optionalString("name") ?? id,
                        description: try b.optionalString("description") ?? "", cpuCount: cpu, memoryBytes: memory,
                        gpuCount: Int(gpu), gpuMaker: try b.optionalString("gpuMaker"),
                        gpuTypeLabel: try b.optionalString("gpuTypeLabel"),
                        gpuMemoryBytes: try b.optional("gpuMemoryBytes")?.int(),
                        useCases: try strings(b.optional("useCases")) ?? ["customApplication"]))
            }
            guard !bundles.isEmpty else { throw list.fail("give at least one bundle (or leave the key out)") }
            out.bundles = bundles
        }
        for c in try r.optional("credentials")?.array() ?? [] {
            try c.only(["credentialId", "name", "credentialType", "description"])
            let name = try c.string("name")
            guard !name.isEmpty else { throw JSONPathError(path: c.path + ".name", reason: "must be non-empty") }
            let type = try c.optionalString("credentialType") ?? "api_token"
            guard Credential.types.contains(type) else {
                throw JSONPathError(
                    path: c.path + ".credentialType",
                    reason: "expected one of " + Credential.types.joined(separator: ", "))
            }
            let id = try hexId(c.optional("credentialId"), derivedFrom: sandbox + "/credential/" + name)
            guard !out.credentials.contains(where: { $0.id == id || $0.name == name }) else {
                throw c.fail("duplicate credential id or name")
            }
            out.credentials.append(
                Credential(
                    id: id, name: name, description: try c.optionalString("description"), credentialType: type,
                    createdAt: ExecutionEnvironment.catalogueDate))
        }
        if let list = r.optional("executionEnvironments") {
            var environments: [ExecutionEnvironment] = []
            for e in try list.array() {
                try e.only(["id", "name", "description", "programmingLanguage", "useCases", "isPublic", "versions"])
                let name = try e.string("name")
                let id = try hexId(e.optional("id"), derivedFrom: sandbox + "/environment/" + name)
                guard !environments.contains(where: { $0.id == id }) else { throw e.fail("duplicate environment id") }
                var versions: [ExecutionEnvironment.Version] = []
                for (i, v) in (try e.optional("versions")?.array() ?? []).enumerated() {
                    try v.only(["id", "label", "description", "dockerImageUri", "buildStatus"])
                    let label = try v.optionalString("label") ?? "v\(i + 1)"
                    versions.append(
                        ExecutionEnvironment.Version(
                            id: try hexId(v.optional("id"), derivedFrom: id + "/version/" + label), label: label,
                            description: try v.optionalString("description") ?? "",
                            dockerImageUri: try v.optionalString("dockerImageUri") ?? "emulator/\(id):\(label)",
                            buildStatus: try v.optionalString("buildStatus") ?? "success"))
                }
                environments.append(
                    ExecutionEnvironment(
                        id: id, name: name, description: try e.optionalString("description") ?? "",
                        programmingLanguage: try e.optionalString("programmingLanguage") ?? "python",
                        useCases: try strings(e.optional("useCases")) ?? ["customApplication"],
                        isPublic: try e.optional("isPublic")?.bool() ?? false, versions: versions))
            }
            out.executionEnvironments = environments
        }
        return out
    }

    /// `catalogue` with this file's entries applied.
    public func applied(to catalogue: PlatformCatalogue) -> PlatformCatalogue {
        var c = catalogue
        if let bundles { c.bundles = bundles }
        if let executionEnvironments { c.executionEnvironments = executionEnvironments }
        for cred in credentials where !c.credentials.contains(where: { $0.id == cred.id }) {
            c.credentials.append(cred)
        }
        return c
    }

    private static func strings(_ r: JSONReader?) throws(JSONPathError) -> [String]? {
        guard let r else { return nil }
        var out: [String] = []
        for s in try r.array() { out.append(try s.string()) }
        return out
    }

    /// A given id (24 lower-case hex), or one derived from `seed` so a file gives the same ids every start.
    private static func hexId(_ r: JSONReader?, derivedFrom seed: String) throws(JSONPathError) -> String {
        if let r {
            let s = try r.string()
            guard s.utf8.count == 24, s.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw r.fail("expected 24 lower-case hex characters")
            }
            return s
        }
        let h = IdGenerator.fnv1a(seed)
        return IdGenerator.hex(h, digits: 16) + IdGenerator.hex(IdGenerator.fnv1a(seed + "#") >> 32, digits: 8)
    }
}
