import Foundation
import JSON
import Testing

@testable import WorkloadEmulator

/// Files read at start hold numbers from outside too: a value that cannot be honoured
/// is exit 2 with the file and path named, never a trap.
@Suite struct InputFilesProcessTests {
    @Test func aFixtureReplicaCountPastTheMaximumExitsTwoNamingItsPath() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = #"""
            {"sandbox": "default", "users": [{"username": "a@example.com", "token": "t"}],
             "workloads": [{"name": "w", "artifact": {"name": "a"},
                            "runtime": {"containerGroups": [{"replicaCount": 9223372036854775807}, {"replicaCount": 1}]}}]}
            """#
        try fixture.write(to: dir.appendingPathComponent("big.json"), atomically: true, encoding: .utf8)
        let run = try EmulatorProcess.run(["--port", "0", "--clock", "manual", "--fixtures", dir.path])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("big.json"), "\(run.stderr)")
        #expect(run.stderr.contains("runtime.containerGroups[0].replicaCount"), "\(run.stderr)")
    }

    func stateFile(_ edit: (inout JSONObject) -> Void) -> String {
        var doc = World(name: "default", settings: SandboxSettings()).snapshot().objectValue!
        edit(&doc)
        let file: JSONValue = ["format": "workload-emulator/state-file", "version": 1, "sandboxes": [.object(doc)]]
        return JSONSerializer.string(file)
    }

    @Test func aStateFileWithValuesThatWouldTrapExitsTwo() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, (inout JSONObject) -> Void)] = [
            (
                ".clock.scale",
                { d in
                    var c = d["clock"]!.objectValue!
                    c["mode"] = "real"
                    c["scale"] = 1e308
                    d["clock"] = .object(c)
                }
            ),
            (
                ".generators.nextSeq",
                { d in
                    var g = d["generators"]!.objectValue!
                    g["nextSeq"] = .int(Int64.max)
                    d["generators"] = .object(g)
                }
            ),
        ]
        for (named, edit) in cases {
            let path = dir.appendingPathComponent("state.json")
            try stateFile(edit).write(to: path, atomically: true, encoding: .utf8)
            let run = try EmulatorProcess.run(["--port", "0", "--clock", "manual", "--state-file", path.path])
            #expect(run.status == 2, "\(named): \(run.stderr)")
            #expect(run.stderr.contains(named), "\(named): \(run.stderr)")
        }
    }

    @Test(arguments: ["1e10", "0", "1e308", "nan"])
    func aTimeScaleOutsideTheClocksRangeExitsTwo(scale: String) throws {
        let run = try EmulatorProcess.run(["--port", "0", "--time-scale", scale])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--time-scale"))
    }
}
