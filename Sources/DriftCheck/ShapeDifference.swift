import ContractCheck
import JSON

/// One way the emulator's answer differs from the real one.
public struct ShapeDifference: Sendable, Equatable {
    /// A JSON path into the body (`$.replacement.status`), or `status` for the status code.
    public var path: String
    public var what: String
    public var real: String
    public var emulator: String

    public init(path: String, what: String, real: String, emulator: String) {
        self.path = path
        self.what = what
        self.real = real
        self.emulator = emulator
    }
}

/// Compares two answers by shape: status code, field names, types, nullability, and the
/// values of state-like fields (`status`, `…Status`, `state`), which are enums. Everything
/// else differs by nature between two services (ids, times, URLs, generated names).
public enum ShapeComparison {
    public static func isEnumLike(_ key: String) -> Bool {
        key == "status" || key == "state" || key.hasSuffix("Status") || key.hasSuffix("State")
    }

    public static func compare(
        realStatus: Int, realBody: String, emulatorStatus: Int, emulatorBody: String
    )
        -> [ShapeDifference]
    {
        var out: [ShapeDifference] = []
        if realStatus != emulatorStatus {
            out.append(
                ShapeDifference(
                    path: "status", what: "status code", real: "\(realStatus)", emulator: "\(emulatorStatus)"))
        }
        let real = try? JSONParser.parse(realBody)
        let emulator = try? JSONParser.parse(emulatorBody)
        switch (real, emulator) {
        case let (r?, e?): compare(r, e, key: nil, path: JSONPath.root, &out)
        case (nil, nil): break
        case (.some, nil), (nil, .some):
            // An empty body against an empty one, or text against text, says nothing.
            if realBody.isEmpty != emulatorBody.isEmpty || real != nil || emulator != nil {
                out.append(
                    ShapeDifference(
                        path: JSONPath.root, what: "body", real: real == nil ? describeText(realBody) : "JSON",
                        emulator: emulator == nil ? describeText(emulatorBody) : "JSON"))
            }
        }
        return out
    }

    /// A list answer (`data` beside `count`/`totalCount`) holds as many items as the real one:
    /// the page's length (`data`, else `count`) and the collection's (`totalCount`) are
    /// compared, each once. The request is the same on both sides (offset, limit), so a
    /// page cut short by the limit is as long on both; a longer collection behind a full
    /// page shows in `totalCount`. The items both pages hold are compared by shape as usual.
    static func compareListLengths(
        _ ro: JSONObject, _ eo: JSONObject, path: String, _ out: inout [ShapeDifference]
    ) {
        if case let .array(rd)? = ro["data"], case let .array(ed)? = eo["data"] {
            if rd.count != ed.count {
                out.append(
                    ShapeDifference(
                        path: JSONPath.child(path, "data"), what: "list length", real: "\(rd.count)",
                        emulator: "\(ed.count)"))
            }
        } else if let rc = ro["count"]?.exactInt, let ec = eo["count"]?.exactInt, rc != ec {
            out.append(
                ShapeDifference(
                    path: JSONPath.child(path, "count"), what: "list length", real: "\(rc)", emulator: "\(ec)"))
        }
        if let rt = ro["totalCount"]?.exactInt, let et = eo["totalCount"]?.exactInt, rt != et {
            out.append(
                ShapeDifference(
                    path: JSONPath.child(path, "totalCount"), what: "total count", real: "\(rt)", emulator: "\(et)"))
        }
    }

    static func describeText(_ body: String) -> String { body.isEmpty ? "empty" : "not JSON" }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .int, .double: return "number"
        default: return v.typeName
        }
    }

    static func compare(_ r: JSONValue, _ e: JSONValue, key: String?, path: String, _ out: inout [ShapeDifference]) {
        if r.isNull != e.isNull {
            out.append(
                ShapeDifference(
                    path: path, what: "nullability", real: r.isNull ? "null" : kind(r),
                    emulator: e.isNull ? "null" : kind(e)))
            return
        }
        guard kind(r) == kind(e) else {
            out.append(ShapeDifference(path: path, what: "type", real: kind(r), emulator: kind(e)))
            return
        }
        switch (r, e) {
        case let (.object(ro), .object(eo)):
            compareListLengths(ro, eo, path: path, &out)
            for (k, rv) in ro {
                let child = JSONPath.child(path, k)
                guard let ev = eo[k] else {
                    out.append(
                        ShapeDifference(
                            path: child, what: "missing in the emulator", real: kind(rv), emulator: "absent"))
                    continue
                }
                compare(rv, ev, key: k, path: child, &out)
            }
            for (k, ev) in eo where ro[k] == nil {
                out.append(
                    ShapeDifference(
                        path: JSONPath.child(path, k), what: "only in the emulator", real: "absent", emulator: kind(ev))
                )
            }
        case let (.array(ra), .array(ea)):
            // A list envelope's length is compared above (`compareListLengths`); other
            // arrays' lengths follow the data. The shape of the items both hold is compared.
            for (i, (rv, ev)) in zip(ra, ea).enumerated() {
                compare(rv, ev, key: key, path: JSONPath.element(path, i), &out)
            }
        case let (.string(rs), .string(es)):
            if let key, isEnumLike(key), rs != es {
                out.append(ShapeDifference(path: path, what: "value", real: rs, emulator: es))
            }
        default: break
        }
    }
}
