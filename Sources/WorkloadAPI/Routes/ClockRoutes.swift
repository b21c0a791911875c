import HTTPServer
import JSON
import WorkloadEmulator

/// `/__emulator/clock` (SPEC §7.2).
enum ClockRoutes {
    /// The advance answer lists at most this many fired actions (`firedCount` has all).
    static let firedListCap = 1000

    static func register(_ t: inout RouteTable) {
        t.add("GET", "/__emulator/clock", authenticated: false) { r in
            Responses.json(200, r.sandbox.read { Documents.clock($0) })
        }
        t.add("PUT", "/__emulator/clock", authenticated: false) { r in
            let parsed = r.validatedBody(Schemas.clockPut)
            guard let body = parsed.value else { return parsed.failure! }
            let mode = SandboxClock.Mode(rawValue: body["mode"]!.stringValue!)!
            let scale = body["scale"]?.numberValue ?? 1
            return Responses.json(
                200,
                r.sandbox.read { w in
                    w.setClock(mode: mode, scale: scale)
                    return Documents.clock(w)
                })
        }
        t.add("POST", "/__emulator/clock/advance", authenticated: false) { r in
            let parsed = r.validatedBody(Schemas.clockAdvance) { body in
                let has = (body["seconds"] != nil ? 1 : 0) + (body["to"] != nil ? 1 : 0)
                if has != 1 {
                    return [
                        ValidationIssue(
                            loc: ["body"], msg: "Value error, exactly one of 'seconds' or 'to' must be provided",
                            type: "value_error")
                    ]
                }
                if let to = body["to"]?.stringValue, Timestamp.parse(to) == nil {
                    return [
                        ValidationIssue(
                            loc: ["body", "to"], msg: "Input should be a valid datetime", type: "datetime_parsing")
                    ]
                }
                return []
            }
            guard let body = parsed.value else { return parsed.failure! }
            let seconds = body["seconds"]?.numberValue
            let to = body["to"]?.stringValue.flatMap(Timestamp.parse)
            return Responses.runControl { () throws(DomainError) in
                let doc = try r.sandbox.execute { (w) throws(DomainError) -> JSONValue in
                    let now = w.clock.now()
                    let target: Int64
                    if let seconds {
                        target = now + Int64((seconds * 1000).rounded())
                    } else {
                        target = to!
                        if target < now {
                            throw .unprocessable(
                                "The clock never goes backwards: \(Timestamp.format(target)) is before now (\(Timestamp.format(now)))."
                            )
                        }
                    }
                    // RFC 3339 years have four digits: past 9999 the timestamps would wrap
                    // (and read as a clock that went backwards).
                    let lastMillisecondOf9999: Int64 = 253_402_300_799_999
                    if target > lastMillisecondOf9999 {
                        throw .unprocessable("The clock cannot go past 9999-12-31T23:59:59.999Z.")
                    }
                    let fired = w.advanceClock(to: target)
                    return [
                        "now": .string(Timestamp.format(w.clock.now())), "mode": .string(w.clock.mode.rawValue),
                        "firedCount": .int(Int64(fired.count)),
                        "fired": .array(fired.prefix(firedListCap).map(\.json)),
                    ]
                }
                return Responses.json(200, doc)
            }
        }
    }
}
