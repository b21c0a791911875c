import HTTPServer
import JSON
import WorkloadEmulator

/// `/__emulator/clock`.
enum ClockRoutes {
    /// The advance answer lists at most this many fired actions (`firedCount` has all).
    static let firedListCap = 1000

    /// Advances run here, off the event loops: hours over many workloads take a while
    /// under their sandbox's lock, and other sandboxes' requests on the same loop must
    /// not wait for them. The answer comes back through the server's mailbox. At nice
    /// 10: on 2 cores an advance shares a core with a loop, and the loop's requests
    /// must not wait for the advance's time slice.
    static let advances = WorkerPool(maxThreads: 2, maxWaiting: nil, niceness: 10)

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
        t.addDeferred("POST", "/__emulator/clock/advance", authenticated: false) { r, respond in
            _ = advances.submit { respond(advance(r)) }
        }
    }

    @Sendable static func advance(_ r: APIRequest) -> HTTPResponse {
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
            var (doc, fired) = try r.sandbox.execute(pausing: DetachedThread.yieldCore) {
                (w) throws(DomainError) -> (JSONValue, [FiredAction]) in
                let now = w.clock.now()
                let target: Int64
                if let seconds {
                    target = now.addingClamped(TimeBounds.milliseconds(seconds: seconds))
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
                if target > TimeBounds.latest {
                    throw .unprocessable("The clock cannot go past 9999-12-31T23:59:59.999Z.")
                }
                let fired = w.advanceClock(to: target, pause: DetachedThread.yieldCore)
                let doc: JSONValue = [
                    "now": .string(Timestamp.format(w.clock.now())), "mode": .string(w.clock.mode.rawValue),
                    "firedCount": .int(Int64(fired.count)),
                    "fired": .array(fired.prefix(firedListCap).map(\.json)),
                ]
                return (doc, fired)
            }
            // 100,000 fired actions dropped at once are milliseconds with no pause: freed
            // in pieces, after the sandbox's lock, like the ids the advance changed.
            fired.removeAllInPieces(pause: DetachedThread.yieldCore)
            return Responses.json(200, doc)
        }
    }
}
