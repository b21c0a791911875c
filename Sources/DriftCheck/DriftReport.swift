import JSON

/// What a replay found: every difference, by exchange (the line of the recording).
public struct DriftReport: Sendable {
    public struct Row: Sendable, Equatable {
        public var exchange: Int
        public var method: String
        public var path: String
        public var operation: String
        public var difference: ShapeDifference
    }

    public var exchanges = 0
    public var rows: [Row] = []
    public var clockAdvancedSeconds = 0

    public var json: JSONValue {
        .object(
            JSONObject([
                ("exchanges", .int(Int64(exchanges))), ("differenceCount", .int(Int64(rows.count))),
                ("clockAdvancedSeconds", .int(Int64(clockAdvancedSeconds))),
                (
                    "differences",
                    .array(
                        rows.map { r in
                            .object(
                                JSONObject([
                                    ("exchange", .int(Int64(r.exchange))), ("method", .string(r.method)),
                                    ("path", .string(r.path)), ("operation", .string(r.operation)),
                                    ("at", .string(r.difference.path)), ("what", .string(r.difference.what)),
                                    ("real", .string(r.difference.real)), ("emulator", .string(r.difference.emulator)),
                                ]))
                        })
                ),
            ]))
    }

    public var table: String {
        var lines: [[String]] = [["exchange", "operation", "differs", "real", "emulator"]]
        for r in rows {
            lines.append([
                "\(r.exchange)", r.operation, "\(r.difference.path) (\(r.difference.what))", r.difference.real,
                r.difference.emulator,
            ])
        }
        var out = ""
        if !rows.isEmpty {
            let widths = (0..<5).map { c in lines.map { $0[c].count }.max() ?? 0 }
            for line in lines {
                var text = ""
                for (c, cell) in line.enumerated() {
                    text += c == 4 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count + 2)
                }
                out += text + "\n"
            }
        }
        let s = rows.count == 1 ? "" : "s"
        out += "\(exchanges) exchanges replayed, \(rows.count) difference\(s)"
        if clockAdvancedSeconds > 0 { out += "; the emulator's clock advanced \(clockAdvancedSeconds) s for polls" }
        return out + "\n"
    }
}
