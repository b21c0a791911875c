import Foundation
import Testing

/// Every recording kept with `replay --as-test tests/recordings` replays against the
/// emulator without a difference: a user's session becomes a regression test.
@Suite struct RecordedRegressionTests {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("tests/recordings")
    }()

    static let recordings: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".ndjson") }.sorted()
    }()

    @Test func theFolderHoldsRecordings() {
        #expect(!Self.recordings.isEmpty, "no recording in \(Self.directory.path)")
    }

    @Test(arguments: recordings) func replaysWithoutDifferences(_ name: String) throws {
        let r = try EmulatorProcess.run(["replay", Self.directory.appendingPathComponent(name).path], timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains(" exchanges replayed, 0 differences"))
    }
}
