import JSON

/// Checks responses against the contract plus the table of deliberate differences.
public struct ResponseChecker: Sendable {
    public let contract: Contract
    public let validator: SchemaValidator
    private let matcher: OperationMatcher
    private let extraStatuses: [String: [Int: (row: String, schema: JSONValue)]]
    private let extraOperationIds: [String: String]

    public init(contract: Contract, differences: [Difference] = Difference.table) {
        var fields: [String: [String: JSONValue]] = [:]
        var statuses: [String: [Int: (row: String, schema: JSONValue)]] = [:]
        var operations = contract.operations
        var extraIds: [String: String] = [:]
        for d in differences {
            switch d.kind {
            case let .extraFields(schema, extra): fields[schema, default: [:]].merge(extra) { $1 }
            case let .extraStatus(id, status, schema): statuses[id, default: [:]][status] = (d.row, schema)
            case let .extraOperations(ops):
                operations += ops
                for op in ops { extraIds[op.id] = d.row }
            }
        }
        self.contract = contract
        validator = SchemaValidator(contract: contract, extraProperties: fields)
        matcher = OperationMatcher(operations)
        extraStatuses = statuses
        extraOperationIds = extraIds
    }

    /// Loads `contract/workload-api-11.5.json` from the given file.
    public static func load(path: String) throws(Contract.LoadError) -> ResponseChecker {
        ResponseChecker(contract: try Contract.load(path: path))
    }

    public func operation(method: String, path: String) -> Contract.Operation? {
        matcher.operation(method: method, requestPath: path)
    }

    /// Whether the operation is one of the document's own (not a D5 addition).
    public func isContractOperation(_ op: Contract.Operation) -> Bool { extraOperationIds[op.id] == nil }

    /// nil when the request was not for an operation the contract (or D5) lists.
    public func check(_ sample: ResponseSample) -> CheckResult? {
        guard let op = operation(method: sample.method, path: sample.path) else { return nil }
        var row = extraOperationIds[op.id]
        let media: [String: JSONValue]
        if let documented = op.responses[sample.status] {
            media = documented
        } else if let extra = extraStatuses[op.id]?[sample.status] {
            media = ["application/json": extra.schema]
            row = extra.row
        } else {
            let listed = op.responses.keys.sorted().map(String.init).joined(separator: ", ")
            return CheckResult(
                operation: op, status: sample.status,
                mismatches: [Mismatch(path: "status", message: "\(sample.status) is not documented (documented: \(listed))")],
                difference: nil)
        }
        return CheckResult(operation: op, status: sample.status, mismatches: body(sample, media), difference: row)
    }

    private func body(_ sample: ResponseSample, _ media: [String: JSONValue]) -> [Mismatch] {
        if sample.status == 204 || sample.status == 304 {
            return sample.body.isEmpty ? [] : [Mismatch(path: "body", message: "\(sample.status) must have no body")]
        }
        // The document lists the status without a body shape: nothing more to check.
        guard !media.isEmpty else { return [] }
        let type = ResponseChecker.mediaType(sample.contentType)
        guard let type, let schema = media[type] else {
            let expected = media.keys.sorted().joined(separator: " or ")
            return [Mismatch(path: "content-type", message: "expected \(expected), got \(sample.contentType ?? "none")")]
        }
        if type == "application/json" || type.hasSuffix("+json") {
            let value: JSONValue
            do { value = try JSONParser.parse(sample.body) } catch {
                return [Mismatch(path: "body", message: "not JSON: \(error.description)")]
            }
            return schema.isNull ? [] : validator.validate(value, against: schema)
        }
        if schema["type"]?.stringValue == "string", String(validating: sample.body, as: UTF8.self) == nil {
            return [Mismatch(path: "body", message: "not UTF-8 text")]
        }
        return []
    }

    /// `application/json; charset=utf-8` → `application/json` (lower case).
    public static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        let main = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = main.trimmingCharacters(in: " \t").lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
