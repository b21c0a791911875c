/// Finds the operation a concrete request addressed. The emulator serves the document's
/// paths under `/api/v2`, under the legacy `/api/v2/console/…` and `/api/v2/registry/…`
/// prefixes, and inside a sandbox (`/sandboxes/NAME/…`); a trailing slash is optional.
public struct OperationMatcher: Sendable {
    private struct Entry: Sendable {
        let operation: Contract.Operation
        let segments: [Substring?]  // nil = a `{parameter}`
    }
    private let entries: [Entry]

    public init(_ operations: [Contract.Operation]) {
        entries = operations.map { op in
            Entry(
                operation: op,
                segments: op.path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 })
        }
    }

    /// The path relative to `/api/v2` with the sandbox and legacy prefixes removed, or nil
    /// when the request was not for the API (e.g. `/__emulator/…`).
    public static func apiPath(_ requestPath: String) -> String? {
        var path = Substring(requestPath)
        if path.hasPrefix("/sandboxes/") {
            let rest = path.dropFirst("/sandboxes/".count)
            path = rest.drop { $0 != "/" }
        }
        guard path.hasPrefix("/api/v2/") else { return nil }
        path = path.dropFirst("/api/v2".count)
        for legacy in ["/console/", "/registry/"] where path.hasPrefix(legacy) {
            path = path.dropFirst(legacy.count - 1)
        }
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// The operation for `method` on the request path; a literal segment beats a
    /// parameter (`/workloads/stats` is not `/workloads/{workload_id}`).
    public func operation(method: String, requestPath: String) -> Contract.Operation? {
        guard let path = OperationMatcher.apiPath(requestPath) else { return nil }
        let parts = path.split(separator: "/")
        var best: (entry: Entry, literals: Int)?
        for entry in entries where entry.operation.method == method && entry.segments.count == parts.count {
            var literals = 0
            var matches = true
            for (segment, part) in zip(entry.segments, parts) {
                if let segment {
                    guard segment == part else {
                        matches = false
                        break
                    }
                    literals += 1
                }
            }
            if matches, literals > (best?.literals ?? -1) { best = (entry, literals) }
        }
        return best?.entry.operation
    }
}
