// The JSON parser alone, in process, beside Swift's own Dictionary doing the inserts a
// many-key object needs: shows how much of a big object's cost is the memory hierarchy
// (a hash table past the L2 cache) rather than the parser. Built without the package:
//
//   swiftc -O -module-name JSONBench Sources/JSON/*.swift bench/json-parse-micro/main.swift -o /tmp/json-bench
//   /tmp/json-bench
//
// Each figure is the best of 5 runs, in milliseconds.
import Glibc

func seconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func best(_ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<5 {
        let t0 = seconds()
        body()
        fastest = min(fastest, seconds() - t0)
    }
    return fastest * 1000
}

func document(_ n: Int, _ open: String, _ close: String, _ item: (Int) -> String) -> [UInt8] {
    var s = open
    for i in 0..<n {
        if i > 0 { s += "," }
        s += item(i)
    }
    return Array((s + close).utf8)
}

/// Milliseconds to two decimals, without Foundation.
func format3(_ ms: Double) -> String {
    let hundredths = Int((ms * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

let unlimited = JSONParser.Limits(maxBytes: Int.max, maxKeys: Int.max)
print("| n | object of n keys | array of n integers | Dictionary<String, Int>, n inserts |")
print("|---|---|---|---|")
for n in [1_000, 10_000, 100_000, 1_000_000] {
    let object = document(n, "{", "}") { "\"k\($0)\":\($0)" }
    let array = document(n, "[", "]") { "\($0)" }
    let keys = (0..<n).map { "k\($0)" }
    let o = best { _ = try? JSONParser.parse(object, limits: unlimited) }
    let a = best { _ = try? JSONParser.parse(array, limits: unlimited) }
    let d = best {
        var d: [String: Int] = [:]
        for (i, k) in keys.enumerated() { d[k] = i }
        precondition(d.count == n)
    }
    let row: [String] = ["\(n)", format3(o), format3(a), format3(d)]
    print("| " + row.joined(separator: " | ") + " |")
}
