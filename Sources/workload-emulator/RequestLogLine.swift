import HTTPServer
import WorkloadAPI

#if canImport(Glibc)
import Glibc
#endif

/// Formats one request as one line: `text` for people, `json` for log pipelines.
/// Written by hand (no Foundation) because it runs once per request.
enum RequestLogLine {
    /// Bodies in debug logs are cut here so one huge upload cannot flood the log.
    static let maxLoggedBodyBytes = 64 * 1024

    static func format(
        _ entry: HTTPRequestLogEntry, format: ServerOptions.LogFormat, includeBodies: Bool
    ) -> [UInt8] {
        var out = ""
        out.reserveCapacity(160)
        let time = timestamp()
        let duration = milliseconds(entry.durationSeconds)
        switch format {
        case .text:
            out += time
            out += " "
            out += entry.remoteAddress.isEmpty ? "-" : entry.remoteAddress
            out += " \""
            out += sanitized(entry.method)
            out += " "
            out += sanitized(entry.target)
            out += "\" \(entry.status) \(entry.responseBytes)B \(duration)ms id="
            out += sanitized(entry.requestID)
            if includeBodies {
                out += " request="
                JSONString.append(body(entry.requestBody), to: &out)
                out += " response="
                JSONString.append(body(entry.responseBody), to: &out)
            }
        case .json:
            out += #"{"time":"\#(time)","level":"\#(includeBodies ? "debug" : "info")","method":"#
            JSONString.append(entry.method, to: &out)
            out += #","target":"#
            JSONString.append(entry.target, to: &out)
            out += #","status":\#(entry.status),"bytes":\#(entry.responseBytes),"durationMs":\#(duration),"remote":"#
            JSONString.append(entry.remoteAddress, to: &out)
            out += #","requestId":"#
            JSONString.append(entry.requestID, to: &out)
            if includeBodies {
                out += #","requestBody":"#
                JSONString.append(body(entry.requestBody), to: &out)
                out += #","responseBody":"#
                JSONString.append(body(entry.responseBody), to: &out)
            }
            out += "}"
        }
        out += "\n"
        return Array(out.utf8)
    }

    /// A line about the process itself (not a request), in the same format.
    static func event(_ message: String, format: ServerOptions.LogFormat) -> [UInt8] {
        switch format {
        case .text:
            return Array("\(timestamp()) workload-emulator: \(message)\n".utf8)
        case .json:
            var out = #"{"time":"\#(timestamp())","level":"info","message":"#
            JSONString.append(message, to: &out)
            out += "}\n"
            return Array(out.utf8)
        }
    }

    /// RFC 3339 UTC with milliseconds, from the wall clock: logs say when it happened
    /// on this machine, whatever a sandbox's emulated clock says.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ms = Int(now.tv_nsec) / 1_000_000
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + ".\(pad(ms, 3))Z"
    }

    /// `0.123` for 123 µs: three decimals without `String(format:)`.
    static func milliseconds(_ seconds: Double) -> String {
        let micros = seconds.isFinite && seconds > 0 ? Int((seconds * 1_000_000).rounded()) : 0
        return "\(micros / 1000).\(pad(micros % 1000, 3))"
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func body(_ bytes: [UInt8]) -> String {
        if bytes.count <= maxLoggedBodyBytes { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.prefix(maxLoggedBodyBytes), as: UTF8.self)
            + "…(\(bytes.count - maxLoggedBodyBytes) more bytes)"
    }

    /// Request targets come from the network: no control characters reach the log.
    private static func sanitized(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\"" }) else {
            return s
        }
        var out = ""
        JSONString.append(s, to: &out)
        return String(out.dropFirst().dropLast())
    }
}
