import JSON
import Testing

@testable import WorkloadEmulator

/// `World.snapshotBytes()` (the one writer of the state form) and `World.restore` (its
/// one reader) agree: a restored world writes exactly the bytes it was restored from,
/// over worlds that use every kind of object, and the bytes are what the serializer
/// writes for their value.
@Suite struct SnapshotBytesTests {
    /// Random commands as in `InvariantTests`, plus invocations, builds, a promotion, a
    /// deployment, faults and strings that need escaping.
    func richWorld(seed: UInt64) throws -> World {
        var w = World.make(.make(seed: seed))
        var random = SplitMix64(seed: seed)
        let odd = "quote\" back\\ nl\n tab\t ctl\u{1} é ☃"
        let id = try w.createWorkload(
            WorkloadInput(
                name: odd, description: odd, importance: .high,
                runtime: ["containerGroups": [["replicaCount": 2, "odd": .string(odd), "f": 1.5, "t": true]]],
                artifact: ArtifactInput(name: "art", description: odd)), by: alice
        ).id
        _ = w.addFault(FaultRule(action: .replacementFailure, probability: 0.2))
        _ = w.addFault(FaultRule(match: .init(workloadId: "none"), action: .launchFailure, message: odd))
        var artifacts: [String] = []
        // What each kind of step achieved: refusals of a step that does not fit the
        // workload's state are part of the game, anything else is a failure.
        var done: [String: Int] = [:]
        for step in 0..<300 {
            let roll = random.next() % 100
            let kind =
                roll < 10
                ? "start"
                : roll < 15
                    ? "stop"
                    : roll < 30
                        ? "invoke"
                        : roll < 40
                            ? "create"
                            : roll < 50
                                ? "replace"
                                : roll < 55 ? "cancel" : roll < 58 ? "build" : roll < 60 ? "promote" : "advance"
            do throws(DomainError) {
                switch roll {
                case 0..<10: _ = try w.startWorkload(id, by: alice)
                case 10..<15: _ = try w.stopWorkload(id, by: alice)
                case 15..<30:
                    if case let .ready(t) = try w.beginInvocation(workloadId: id, by: alice) {
                        w.finishInvocation(t, status: 200, latencyMs: Double(random.next() % 1000) / 7)
                    }
                case 30..<40:
                    _ = try w.createWorkload(draftInput("x\(step)"), by: step % 2 == 0 ? alice : bob)
                case 40..<50:
                    _ = try w.randomReplacement(id, step: step, artifacts: &artifacts, upTo: 20, &random)
                case 50..<55: _ = try w.cancelReplacement(id, by: alice)
                case 55..<58: _ = try w.triggerBuild(w.workloads[id]!.artifactId, by: alice)
                case 58..<60:
                    _ = try w.promoteWorkload(id, by: alice)
                    _ = try w.createDeployment(
                        name: "d\(step)", workloadId: id, description: odd, importance: .critical, by: alice)
                default:
                    _ = w.advanceClock(to: w.now + Int64(random.next() % 90_000))
                }
                done[kind, default: 0] += 1
            } catch {
                switch (kind, error) {
                case (_, .conflict), (_, .unprocessable): break
                case ("cancel", .notFound): break  // no replacement in flight
                case ("replace", .badRequest): break  // draft to draft, locked to locked
                default: Issue.record("step \(step) (\(kind)): unexpected \(error)")
                }
            }
        }
        for kind in ["start", "stop", "invoke", "create", "replace", "advance"] {
            #expect(done[kind, default: 0] > 0, "no \(kind) step succeeded: \(done)")
        }
        // End with a replacement in flight, so `replacement` is an object (the text
        // checks of `bytesMatchTheTree` fail if it is not).
        do throws(DomainError) { _ = try w.startWorkload(id, by: alice) } catch {
            if case .conflict = error {} else { Issue.record("final start: \(error)") }
        }
        _ = w.advanceClock(to: w.now + 60_000)
        do throws(DomainError) {
            _ = try w.startReplacement(
                id, World.ReplacementRequest(artifactId: nil, runtime: nil, warmupMinutes: 5, keepMinutes: 5), by: alice
            )
        } catch {
            if case .conflict = error {} else { Issue.record("final replacement: \(error)") }
        }
        _ = w.advanceClock(to: w.now + 1000)
        return w
    }

    @Test(arguments: [1, 2, 3]) func bytesMatchTheTree(seed: UInt64) throws {
        let w = try richWorld(seed: seed)
        let bytes = w.snapshotBytes()
        let value = try JSONParser.parse(bytes, limits: JSONParser.Limits(maxDepth: 256, maxBytes: Int.max))
        #expect(JSONSerializer.serialize(value) == bytes)
        let expected = try World.restore(value, name: w.name, settings: w.settings).snapshotBytes()
        let got = bytes
        #expect(got == expected)
        if got != expected {
            let i =
                (0..<min(got.count, expected.count)).first { got[$0] != expected[$0] } ?? min(got.count, expected.count)
            let from = max(0, i - 80)
            let mine = String(decoding: got[from..<min(got.count, i + 80)], as: UTF8.self)
            let theirs = String(decoding: expected[from..<min(expected.count, i + 80)], as: UTF8.self)
            Issue.record("first difference at \(i): got …\(mine) expected …\(theirs)")
        }
        // The world really holds every kind of object the writer knows.
        let text = String(decoding: got, as: UTF8.self)
        let missing = [
            "\"replacement\":{", "\"history\":[{", "\"invocations\":[{", "\"transitions\":[{", "\"faults\":[{",
            "\"log\":[{", "\"scheduled\":[{", "\"repositories\":[{", "\\u0001",
        ].filter({ !text.contains($0) })
        #expect(missing.isEmpty)
        // And it reads back as the same world.
        let back = try World.restore(try JSONParser.parse(got), name: "test", settings: w.settings)
        #expect(back.snapshotBytes() == got)
    }

    @Test func timestampsAndIntsAtTheEdges() {
        for ms: Int64 in [0, 1, 999, -1, -86_400_001, 1_790_000_000_123, 253_402_300_799_999, 253_402_300_800_000] {
            var out: [UInt8] = []
            Timestamp.write(ms, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == Timestamp.format(ms))
            #expect(Timestamp.format(ms).utf8.count == 24)
        }
        #expect(Timestamp.format(1_790_000_000_123) == "2026-09-21T14:13:20.123Z")
        for i: Int64 in [0, 7, 9, 10, -1, -10, 1_234_567, .max, .min] {
            #expect(JSONSerializer.string(.int(i)) == String(i))
        }
        #expect(JSONSerializer.string([nil, true, false]) == "[null,true,false]")
    }
}

/// The state file's compact form (members at their defaults left out) reads back as the
/// world it came from, and the reader takes members in any order and with whitespace.
@Suite struct CompactStateFormTests {
    @Test(arguments: [1, 2]) func theCompactFormReadsBackAsTheFullOne(seed: UInt64) throws {
        let w = try SnapshotBytesTests().richWorld(seed: seed)
        let full = w.snapshotBytes()
        let compact = w.snapshotBytes(encoding: .compact)
        #expect(compact.count < full.count)
        let back = try World.restore(bytes: compact, name: w.name, settings: w.settings)
        #expect(back.snapshotBytes() == full)
    }

    @Test func membersInAnotherOrderAndWhitespaceReadTheSame() throws {
        let w = try SnapshotBytesTests().richWorld(seed: 4)
        let full = w.snapshotBytes()
        guard case let .object(doc) = try JSONParser.parse(full, limits: .init(maxDepth: 256, maxBytes: Int.max))
        else { throw JSONPathError(path: "$", reason: "not an object") }
        // The document's members last to first, and each workload's too.
        var reversed = JSONObject()
        for (key, value) in doc.entries.reversed() {
            guard key == "workloads", case let .array(list) = value else {
                reversed.append(key, value)
                continue
            }
            reversed.append(
                key,
                .array(list.map { v in .object(JSONObject.withUniqueKeys((v.objectValue?.entries ?? []).reversed())) }))
        }
        let text = JSONSerializer.string(.object(reversed)).replacing("\":{", with: "\" :\n {")
        let back = try World.restore(bytes: Array(text.utf8), name: w.name, settings: w.settings)
        #expect(back.snapshotBytes() == full)
    }
}
