/// The result of checking a set of recorded responses: every mismatch (grouped, with an
/// example request), and per operation which statuses were seen, so the coverage rule
/// (a success and every reachable documented 4xx for each of the 40 operations) can be
/// checked and printed as a table.
public struct ConformanceReport: Sendable {
    public struct Failure: Sendable, CustomStringConvertible {
        public let operation: String
        public let status: Int
        public let mismatch: Mismatch
        public let count: Int
        public let example: String
        public var description: String {
            "\(operation) \(status) \(mismatch.path): \(mismatch.message) (\(count)x, e.g. \(example))"
        }
    }

    public struct Row: Sendable {
        public let operation: Contract.Operation
        /// Status → (checked responses, responses with a mismatch).
        public var seen: [Int: (checked: Int, failed: Int)] = [:]
        /// Documented 4xx codes never seen, minus those `Unreachable` explains.
        public var missing: [Int] = []
        public var hasSuccess: Bool { seen.contains { (200..<300).contains($0.key) } }
        public var failed: Int { seen.values.reduce(0) { $0 + $1.failed } }
        public var passes: Bool { failed == 0 && hasSuccess && missing.isEmpty }
    }

    public private(set) var failures: [Failure] = []
    public private(set) var rows: [Row] = []
    public private(set) var checked = 0
    public private(set) var skipped = 0

    public init(checker: ResponseChecker, samples: [ResponseSample], unreachable: [Unreachable] = Unreachable.table) {
        var rowsById: [String: Row] = [:]
        for op in checker.contract.operations { rowsById[op.id] = Row(operation: op) }
        var grouped: [String: (Failure, Int)] = [:]
        var order: [String] = []
        for sample in samples {
            guard let result = checker.check(sample) else {
                skipped += 1
                continue
            }
            checked += 1
            let id = result.operation.id
            var entry = rowsById[id] ?? Row(operation: result.operation)
            var counts = entry.seen[result.status] ?? (0, 0)
            counts.checked += 1
            if !result.mismatches.isEmpty { counts.failed += 1 }
            entry.seen[result.status] = counts
            rowsById[id] = entry
            for found in result.mismatches {
                // `$.data[3].id` and `$.data[0].id` are one defect: grouped as `$.data[].id`.
                let m = Mismatch(path: ConformanceReport.withoutIndices(found.path), message: found.message)
                let key = "\(id) \(result.status) \(m.path) \(m.message)"
                if let (f, n) = grouped[key] {
                    grouped[key] = (f, n + 1)
                } else {
                    let target = sample.query.isEmpty ? sample.path : sample.path + "?" + sample.query
                    grouped[key] = (
                        Failure(
                            operation: id, status: result.status, mismatch: m, count: 1,
                            example: "\(sample.method) \(target)"), 1
                    )
                    order.append(key)
                }
            }
        }
        failures = order.map { key in
            let (f, n) = grouped[key]!
            return Failure(operation: f.operation, status: f.status, mismatch: f.mismatch, count: n, example: f.example)
        }
        for op in checker.contract.operations {
            var row = rowsById[op.id]!
            row.missing = op.clientErrorStatuses.filter { status in
                row.seen[status] == nil && !unreachable.contains { $0.applies(to: op.id, status: status) }
            }
            rows.append(row)
        }
        // Operations the difference table adds come last.
        for (_, row) in rowsById.sorted(by: { $0.key < $1.key }) where !checker.isContractOperation(row.operation) {
            rows.append(row)
        }
        contractOperationCount = checker.contract.operations.count
    }

    private let contractOperationCount: Int

    static func withoutIndices(_ path: String) -> String {
        var out = ""
        var inIndex = false
        for c in path {
            if c == "[" {
                inIndex = true
                out.append(c)
            } else if inIndex {
                if c == "]" {
                    inIndex = false
                    out.append(c)
                } else if !c.isNumber {
                    // A quoted key such as `["a-b"]`, not an index: keep it.
                    inIndex = false
                    out.append(c)
                }
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The 40 contract operations that pass (no mismatch, a success, every reachable 4xx).
    public var passingOperations: [String] {
        rows.prefix(contractOperationCount).filter(\.passes).map(\.operation.id)
    }

    /// The contract operations none of whose checked responses differs from the contract
    /// (whatever the coverage): "answers in the real shape".
    public var shapeConformingOperations: [String] {
        rows.prefix(contractOperationCount).filter { $0.failed == 0 && !$0.seen.isEmpty }.map(\.operation.id)
    }

    /// One line per operation: `ok`/`FAIL`, method and path, statuses seen (`code:n`, with
    /// `!k` for k responses that failed), and documented 4xx never seen.
    public var table: String {
        var lines: [String] = []
        for row in rows {
            let statuses = row.seen.keys.sorted().map { code -> String in
                let c = row.seen[code]!
                return c.failed > 0 ? "\(code):\(c.checked)!\(c.failed)" : "\(code):\(c.checked)"
            }.joined(separator: " ")
            var notes: [String] = []
            if !row.hasSuccess { notes.append("no success") }
            if !row.missing.isEmpty { notes.append("unseen " + row.missing.map(String.init).joined(separator: ",")) }
            let verdict = row.passes ? "ok  " : "FAIL"
            let name = "\(row.operation.method) \(row.operation.path)"
            lines.append(
                "\(verdict) \(pad(row.operation.id, 38)) \(pad(name, 62)) \(statuses)"
                    + (notes.isEmpty ? "" : "  [\(notes.joined(separator: "; "))]"))
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// A documented 4xx of an operation that the emulator cannot produce, and why; the
/// coverage rule does not ask for it.
public struct Unreachable: Sendable {
    /// An operationId, or `*` for every operation.
    public let operation: String
    public let status: Int
    public let reason: String

    public init(_ operation: String, _ status: Int, _ reason: String) {
        self.operation = operation
        self.status = status
        self.reason = reason
    }

    func applies(to id: String, status: Int) -> Bool {
        self.status == status && (operation == "*" || operation == id)
    }

    /// Why: the emulator answers 400 only for a body that is not JSON and for a bad
    /// statistics window on `DELETE …/stats` (and, before any route, for an invalid
    /// sandbox name); 422 comes from a body or a query parameter; 403 from a role that
    /// may read but not act, or from a limit.
    public static let table: [Unreachable] = {
        let noBodyNoWindow = "no request body and no statistics window: nothing the emulator answers 400 for"
        let noInput =
            "no request body and no query parameters in the contract: every id is valid input (an unknown one is 404)"
        let list = "a list shows what the caller may see and never refuses a role; no limit applies"
        let anyRole = "any role on an artifact or repository may read and use it (README); no role is 404"
        var rows: [Unreachable] = []
        for id in [
            "listArtifacts", "deleteArtifact", "getArtifact", "getArtifactBuildList", "getArtifactBuild",
            "getArtifactBuildLogs", "listArtifactSharedRoles", "listWorkloads", "listWorkloadsStats", "deleteWorkload",
            "getWorkload", "listWorkloadEvents", "listWorkloadArtifactHistory", "listWorkloadProtons",
            "getWorkloadProton", "getWorkloadProtonStatusDetails", "getWorkloadRelatedEntities", "getWorkloadSettings",
            "listWorkloadSharedRoles", "getWorkloadMetricTimeSeries",
        ] {
            rows.append(Unreachable(id, 400, noBodyNoWindow))
        }
        rows.append(Unreachable("getWorkloadStats", 400, "a bad window on GET …/stats is a 422; 400 is DELETE's"))
        for id in [
            "deleteArtifactRepository", "getArtifactRepository", "deleteArtifact", "getArtifact", "getArtifactBuild",
            "getArtifactBuildLogs", "deleteWorkload", "getWorkload", "getWorkloadProton",
            "getWorkloadProtonStatusDetails",
            "getWorkloadRelatedEntities", "getWorkloadSettings",
        ] {
            rows.append(Unreachable(id, 422, noInput))
        }
        for id in ["listArtifactRepositories", "listArtifacts", "listWorkloads", "listWorkloadsStats"] {
            rows.append(Unreachable(id, 403, list))
        }
        for id in [
            "getArtifactRepository", "listArtifactRepositorySharedRoles", "getArtifact", "getArtifactBuildList",
            "getArtifactBuild", "getArtifactBuildLogs", "cloneArtifact", "listArtifactSharedRoles",
        ] {
            rows.append(Unreachable(id, 403, anyRole))
        }
        rows.append(Unreachable("createArtifact", 403, "no role or limit applies to creating an artifact"))
        return rows
    }()
}
