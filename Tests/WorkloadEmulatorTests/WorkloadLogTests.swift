import Testing

@testable import WorkloadEmulator

/// The per-workload log ring: the cap, newest-first pages and the filters, as values.
@Suite struct WorkloadLogTests {
    func log(_ n: Int, start: Int64 = 0) -> WorkloadLog {
        var l = WorkloadLog()
        for i in 0..<n {
            let level: WorkloadLogLine.Level = i % 10 == 0 ? .error : .info
            l.append(at: start + Int64(i) * 1000, level: level, "line \(i)", protonId: i % 2 == 0 ? "even" : "odd")
        }
        return l
    }

    func page(_ l: WorkloadLog, _ q: WorkloadLog.Query) -> (messages: [String], total: Int) {
        let (lines, total) = l.page(q, traceId: { _ in nil }, spanId: { _ in nil })
        return (lines.map(\.message), total)
    }

    @Test func capKeepsTheNewestTenThousandLines() {
        let l = log(WorkloadLog.capacity + 50)
        #expect(l.count == 10_000)
        #expect(l.dropped == 50)
        #expect(l[0].message == "line 50")
        #expect(l[0].number == 51)
        #expect(l[9_999].message == "line 10049")
        var q = WorkloadLog.Query()
        q.limit = 2
        #expect(page(l, q) == (["line 10049", "line 10048"], 10_000))
        q.offset = 9_999
        #expect(page(l, q) == (["line 50"], 10_000))
        q.offset = 10_000
        #expect(page(l, q) == ([], 10_000))
        // Time windows still bisect correctly across the ring's wrap point.
        var w = WorkloadLog.Query()
        w.from = 9_000_000
        w.to = 9_002_000
        #expect(page(l, w) == (["line 9002", "line 9001", "line 9000"], 3))
    }

    @Test func levelIsAMinimumAndTextFiltersAreCaseSensitiveBytes() {
        let l = log(30)
        var q = WorkloadLog.Query()
        q.level = .error
        #expect(page(l, q) == (["line 20", "line 10", "line 0"], 3))
        q.level = .warning
        #expect(page(l, q).total == 3)
        q.level = .debug
        #expect(page(l, q).total == 30)
        var t = WorkloadLog.Query()
        t.includes = ["line 2"]
        #expect(page(l, t).total == 11)  // 2, 20..29
        t.excludes = ["9"]
        #expect(page(l, t).total == 10)  // not 29
        t.includes = ["LINE"]
        #expect(page(l, t).total == 0)
        var a = WorkloadLog.Query()
        a.attributes = [("proton_id", "odd"), ("level", "info")]
        a.limit = 1
        #expect(page(l, a) == (["line 29"], 15))
        a.attributes = [("no_such_key", "x")]
        #expect(page(l, a).total == 0)
    }

    @Test func byteNeedleMatchesUTF8Exactly() {
        #expect(ByteNeedle.found("é", in: "café au lait"))
        #expect(!ByteNeedle.found("e\u{301}", in: "café"))
        #expect(ByteNeedle.found("", in: ""))
        #expect(!ByteNeedle.found("long needle", in: "short"))
        #expect(ByteNeedle.found("lait", in: "café au lait"))
        #expect(WorkloadLogLine.Level(name: "WARN") == .warning)
        #expect(WorkloadLogLine.Level(name: "loud") == nil)
    }
}
