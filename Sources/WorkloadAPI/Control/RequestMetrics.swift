import Synchronization
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Process-wide request counters for `/__emulator/metrics`: requests by route pattern,
/// method and status, and a latency histogram. Route patterns (not paths) keep the
/// label set small and bounded whatever ids clients use.
final class RequestMetrics: Sendable {
    /// Upper bounds in seconds (Prometheus `le`), the usual HTTP spread.
    static let bounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

    private struct Key: Hashable, Sendable {
        var method: String
        var route: String
        var status: Int
    }

    private struct State: Sendable {
        var requests: [Key: UInt64] = [:]
        var buckets = [UInt64](repeating: 0, count: RequestMetrics.bounds.count)
        var count: UInt64 = 0
        var sum: Double = 0
    }

    private let state = Mutex(State())

    func observe(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests[Key(method: method, route: route, status: status), default: 0] &+= 1
            if let i = RequestMetrics.bounds.firstIndex(where: { seconds <= $0 }) { s.buckets[i] &+= 1 }
            s.count &+= 1
            s.sum += seconds
        }
    }

    static func monotonicMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    /// The Prometheus text exposition format (version 0.0.4), series in a stable order.
    func render(sandboxes: [Sandbox]) -> String {
        let s = state.withLock { $0 }
        var out = ""
        out += "# HELP workload_emulator_http_requests_total Requests answered, by method, route pattern and status (0 = dropped).\n"
        out += "# TYPE workload_emulator_http_requests_total counter\n"
        let keys = s.requests.keys.sorted {
            ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status)
        }
        for k in keys {
            out +=
                "workload_emulator_http_requests_total{method=\"\(label(k.method))\",route=\"\(label(k.route))\",status=\"\(k.status)\"} \(s.requests[k]!)\n"
        }
        out += "# HELP workload_emulator_http_request_duration_seconds Time spent in the handler (injected delays excluded).\n"
        out += "# TYPE workload_emulator_http_request_duration_seconds histogram\n"
        var cumulative: UInt64 = 0
        for (i, b) in RequestMetrics.bounds.enumerated() {
            cumulative += s.buckets[i]
            out += "workload_emulator_http_request_duration_seconds_bucket{le=\"\(b)\"} \(cumulative)\n"
        }
        out += "workload_emulator_http_request_duration_seconds_bucket{le=\"+Inf\"} \(s.count)\n"
        out += "workload_emulator_http_request_duration_seconds_sum \(s.sum)\n"
        out += "workload_emulator_http_request_duration_seconds_count \(s.count)\n"

        struct Row { var name: String; var byStatus: [WorkloadStatus: Int]; var counts: [String: UInt64]; var faults: Int }
        let rows: [Row] = sandboxes.map { sb in
            sb.inspect { w in
                var byStatus: [WorkloadStatus: Int] = [:]
                for wl in w.workloads.values { byStatus[wl.status, default: 0] += 1 }
                return Row(name: sb.name, byStatus: byStatus, counts: w.logCounts, faults: w.faults.count)
            }
        }
        out += "# HELP workload_emulator_workloads Workloads by sandbox and status.\n"
        out += "# TYPE workload_emulator_workloads gauge\n"
        for r in rows {
            for st in WorkloadStatus.workloadStatuses {
                out += "workload_emulator_workloads{sandbox=\"\(label(r.name))\",status=\"\(st.rawValue)\"} \(r.byStatus[st] ?? 0)\n"
            }
        }
        let counters: [(String, String, String)] = [
            ("workload_emulator_transitions_total", "transition", "Status transitions fired."),
            ("workload_emulator_faults_injected_total", "faultInjected", "Fault rules that fired (request and domain)."),
            ("workload_emulator_expiries_total", "expired", "Draft workloads removed by their TTL."),
        ]
        for (name, kind, help) in counters {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            for r in rows { out += "\(name){sandbox=\"\(label(r.name))\"} \(r.counts[kind] ?? 0)\n" }
        }
        out += "# HELP workload_emulator_fault_rules Fault rules defined.\n# TYPE workload_emulator_fault_rules gauge\n"
        for r in rows { out += "workload_emulator_fault_rules{sandbox=\"\(label(r.name))\"} \(r.faults)\n" }
        return out
    }

    private func label(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
