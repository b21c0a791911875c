import JSON
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// A fixture file that cannot be loaded: the file, the JSON path and the reason, on one line.
public struct FixtureError: Error, CustomStringConvertible {
    public var file: String
    public var path: String
    public var reason: String
    public var description: String { "--fixtures: \(file): \(path): \(reason)" }
}

/// The create-body checks of the HTTP surface, handed in by it: a fixture's artifacts
/// and workloads are refused for exactly what `POST` would refuse them for, without
/// this module knowing the API's schemas.
public struct FixtureBodyRules: Sendable {
    /// The first problem of a body: the path below the entry (`""`, `".name"`) and the reason.
    public var artifact: @Sendable (JSONValue) -> (path: String, reason: String)?
    public var workload: @Sendable (JSONValue) -> (path: String, reason: String)?
    /// A checked artifact body as the domain's input.
    public var artifactInput: @Sendable (_ body: JSONValue, _ defaultName: String) -> ArtifactInput

    public init(
        artifact: @escaping @Sendable (JSONValue) -> (path: String, reason: String)?,
        workload: @escaping @Sendable (JSONValue) -> (path: String, reason: String)?,
        artifactInput: @escaping @Sendable (JSONValue, String) -> ArtifactInput
    ) {
        self.artifact = artifact
        self.workload = workload
        self.artifactInput = artifactInput
    }
}

/// One fixture file, parsed and validated before anything is created:
/// `{"sandbox", "users": [{"username","token","id"?}], "artifacts": [{…create body…,
/// "id"?, "owner"?}], "workloads": [{…create body…, "status": "running"|"stopped", "owner"?}]}`.
/// An artifact's `id` is a label that workloads of the same file use as `artifactId`
/// (real ids come from the seed); `owner` is a username of the file (default: its first user).
public struct FixtureFile: Sendable {
    struct ArtifactEntry: Sendable {
        var label: String?
        var input: ArtifactInput
        var owner: User
    }
    struct WorkloadEntry: Sendable {
        var input: WorkloadInput
        var artifactLabel: String?
        var status: WorkloadStatus
        var owner: User
        var path: String
    }

    public var file: String
    public var sandbox: String
    public var users: [User]
    var artifacts: [ArtifactEntry]
    var workloads: [WorkloadEntry]
    public var platform = FixturePlatform()

    /// Every `*.json` in `dir`, in name order.
    public static func loadDirectory(_ dir: String, rules: FixtureBodyRules) throws(PersistenceError) -> [FixtureFile] {
        guard let d = opendir(dir) else {
            throw PersistenceError("--fixtures: \(dir): \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json"), !name.hasPrefix(".") { names.append(name) }
        }
        closedir(d)
        var files: [FixtureFile] = []
        for name in names.sorted() {
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            do throws(FixtureError) { files.append(try load(path, rules: rules)) } catch {
                throw PersistenceError(error.description)
            }
        }
        return files
    }

    public static func load(_ file: String, rules: FixtureBodyRules) throws(FixtureError) -> FixtureFile {
        guard let bytes = Files.read(file) else {
            throw FixtureError(file: file, path: "$", reason: "cannot be read")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw FixtureError(file: file, path: "$", reason: "not valid JSON: \(error)")
        }
        do throws(JSONPathError) {
            return try parse(value, file: file, rules: rules)
        } catch {
            throw FixtureError(file: file, path: error.path, reason: error.reason)
        }
    }

    public static func parse(_ value: JSONValue, file: String, rules: FixtureBodyRules) throws(JSONPathError) -> FixtureFile {
        let r = JSONReader(value)
        try r.only(Set(["sandbox", "users", "artifacts", "workloads"]).union(FixturePlatform.keys))
        let sandbox = try r.optionalString("sandbox") ?? "default"
        guard SandboxRegistry.isValidName(sandbox) else {
            throw JSONPathError(path: "$.sandbox", reason: "use 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
        }
        var users: [User] = []
        for u in try r.optional("users")?.array() ?? [] {
            try u.only(["username", "token", "id"])
            let username = try u.string("username")
            let token = try u.string("token")
            guard !token.isEmpty, !token.contains(" ") else {
                throw JSONPathError(path: u.path + ".token", reason: "must be non-empty and without spaces")
            }
            guard !users.contains(where: { $0.token == token || $0.username == username }) else {
                throw u.fail("duplicate username or token")
            }
            var user = User.derived(fromToken: token)
            user.username = username
            if let id = u.optional("id") {
                let s = try id.string()
                guard s.utf8.count == 24, s.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
                else { throw id.fail("expected 24 lower-case hex characters") }
                user.id = s
            }
            users.append(user)
        }
        func owner(_ x: JSONReader) throws(JSONPathError) -> User {
            if let o = x.optional("owner") {
                let name = try o.string()
                guard let u = users.first(where: { $0.username == name }) else {
                    throw o.fail("no user '\(name)' in this file's users")
                }
                return u
            }
            guard let first = users.first else {
                throw x.fail("no owner: add a user to \"users\" (the first one owns what names no \"owner\")")
            }
            return first
        }
        func validate(
            _ x: JSONReader, _ check: (JSONValue) -> (path: String, reason: String)?, stripping: Set<String>
        ) throws(JSONPathError) -> JSONValue {
            var o = try x.object()
            for k in stripping { o[k] = nil }
            if let problem = check(.object(o)) { throw JSONPathError(path: x.path + problem.path, reason: problem.reason) }
            return .object(o)
        }

        var artifacts: [ArtifactEntry] = []
        for a in try r.optional("artifacts")?.array() ?? [] {
            let body = try validate(a, rules.artifact, stripping: ["id", "owner"])
            let label = try a.optionalString("id")
            if let label, artifacts.contains(where: { $0.label == label }) {
                throw JSONPathError(path: a.path + ".id", reason: "duplicate artifact id '\(label)'")
            }
            artifacts.append(
                ArtifactEntry(
                    label: label, input: rules.artifactInput(body, "artifact"), owner: try owner(a)))
        }
        var workloads: [WorkloadEntry] = []
        for x in try r.optional("workloads")?.array() ?? [] {
            let body = try validate(x, rules.workload, stripping: ["status", "owner"])
            var status = WorkloadStatus.running
            if let s = x.optional("status") {
                switch try s.string() {
                case "running": status = .running
                case "stopped": status = .stopped
                default: throw s.fail("expected running or stopped")
                }
            }
            var input = WorkloadInput(
                name: body["name"]?.stringValue, description: body["description"]?.stringValue,
                importance: body["importance"]?.stringValue.flatMap(Importance.init) ?? .low,
                runtime: body["runtime"] ?? JSONValue.emptyRuntime, artifactId: body["artifactId"]?.stringValue)
            if let a = body["artifact"], !a.isNull {
                input.artifact = rules.artifactInput(a, input.name ?? "artifact")
            }
            var label: String?
            if let id = input.artifactId {
                guard artifacts.contains(where: { $0.label == id }) else {
                    throw JSONPathError(path: x.path + ".artifactId", reason: "no artifact with id '\(id)' in this file")
                }
                label = id
            }
            workloads.append(
                WorkloadEntry(input: input, artifactLabel: label, status: status, owner: try owner(x), path: x.path))
        }
        return FixtureFile(
            file: file, sandbox: sandbox, users: users, artifacts: artifacts, workloads: workloads,
            platform: try FixturePlatform.parse(r, sandbox: sandbox))
    }

    /// Creates the file's objects in its sandbox. Domain refusals (a draft artifact
    /// given to two workloads, limits) are reported like parse errors.
    public func apply(to sandbox: Sandbox) throws(FixtureError) {
        let file = self.file
        do throws(DomainError) {
            _ = try sandbox.execute { (w) throws(DomainError) -> Int in
                for u in users where w.usersById[u.id] == nil { w.addUser(u) }
                var ids: [String: String] = [:]
                for a in artifacts {
                    let created = try w.createArtifact(a.input, by: a.owner)
                    if let label = a.label { ids[label] = created.id }
                }
                for (i, e) in workloads.enumerated() {
                    var input = e.input
                    if let label = e.artifactLabel { input.artifactId = ids[label] }
                    do throws(DomainError) {
                        _ = try w.createSettledWorkload(input, by: e.owner, status: e.status)
                    } catch {
                        throw .unprocessable("$.workloads[\(i)]: \(error.detail)")
                    }
                }
                return 0
            }
        } catch {
            let (path, reason): (String, String)
            if error.detail.hasPrefix("$."), let colon = error.detail.firstIndex(of: ":") {
                path = String(error.detail[..<colon])
                reason = String(error.detail[error.detail.index(colon, offsetBy: 2)...])
            } else {
                (path, reason) = ("$", error.detail)
            }
            throw FixtureError(file: file, path: path, reason: reason)
        }
    }
}
