import ContractCheck
import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every response the suites recorded (`WORKLOAD_EMULATOR_RECORD_RESPONSES=DIR`, set by
/// `scripts/test` and `scripts/conformance.sh`) checked against the contract. Fails on any
/// mismatch (operation, status, JSON path, what differs) and unless each of the 40
/// operations has a checked success and a checked answer for every documented 4xx the
/// emulator can produce. Runs only when the directory is given: the main `swift test`
/// run is what fills it.
@Suite struct ContractConformanceTests {
    static var directory: String? {
        guard let value = getenv("WORKLOAD_EMULATOR_RECORD_RESPONSES") else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    @Test(.enabled(if: directory != nil, "needs WORKLOAD_EMULATOR_RECORD_RESPONSES (scripts/test sets it)"))
    func everyRecordedResponseMatchesTheContract() throws {
        let checker = try ResponseChecker.load(path: ContractFile.path)
        let (samples, lines) = try Recording.read(directory: Self.directory!)
        let report = ConformanceReport(checker: checker, samples: samples)
        print(
            "contract conformance: \(lines) responses recorded, \(samples.count) distinct: \(report.checked) checked, "
                + "\(report.skipped) outside the contract")
        print(report.table)
        print("documented 4xx the emulator cannot give (not asked for):")
        for u in Unreachable.table { print("  \(u.operation) \(u.status): \(u.reason)") }
        let passing = report.passingOperations.count
        let total = checker.contract.operations.count
        print(
            "contract conformance: \(report.shapeConformingOperations.count) of \(total) operations answer only in "
                + "the contract's shapes; \(passing) of \(total) pass (shapes and every reachable documented 4xx)")
        #expect(report.checked > 0, "no recorded responses in \(Self.directory!)")
        // Printed, then counted in one issue: one line each reads better than hundreds of issues.
        for failure in report.failures { print("MISMATCH \(failure)") }
        var gaps = 0
        for row in report.rows.prefix(checker.contract.operations.count) where !row.hasSuccess || !row.missing.isEmpty {
            var what: [String] = []
            if !row.hasSuccess { what.append("no checked success response") }
            if !row.missing.isEmpty {
                what.append("no checked response for " + row.missing.map(String.init).joined(separator: ", "))
            }
            print("GAP \(row.operation.id): \(what.joined(separator: "; "))")
            gaps += 1
        }
        let kinds = report.failures.count
        #expect(kinds == 0, "\(kinds) kinds of mismatch (MISMATCH lines above)")
        #expect(gaps == 0, "\(gaps) operations lack a checked success or documented 4xx (GAP lines above)")
    }
}
