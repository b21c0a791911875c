/// `ctl clock advance 8h`: a duration as people type it. A bare number is seconds;
/// otherwise number-unit pairs (`ms`, `s`, `m`, `h`, `d`) that add up, e.g. `1h30m`,
/// `1.5h`, `90s`. Bounded like the control API's own `seconds` (0 to 3.2e9).
enum ControlDuration {
    static let maxSeconds = 3.2e9

    static func seconds(_ text: String) -> Double? {
        if let plain = number(Substring(text)) { return plain <= maxSeconds ? plain : nil }
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { ($0 >= "0" && $0 <= "9") || $0 == "." }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0 >= "a" && $0 <= "z" }
            rest = rest.dropFirst(unit.count)
            guard let value = number(digits) else { return nil }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            default: return nil
            }
            // Each part is bounded before it is multiplied, so no sum can overflow.
            guard value <= maxSeconds else { return nil }
            total += value * scale
            guard total <= maxSeconds else { return nil }
        }
        return total
    }

    /// Digits with at most one dot and at most 20 characters: no signs, exponents or nan.
    private static func number(_ s: Substring) -> Double? {
        guard !s.isEmpty, s.count <= 20, s.filter({ $0 == "." }).count <= 1, s.first != ".", s.last != ".",
            s.allSatisfy({ ($0 >= "0" && $0 <= "9") || $0 == "." })
        else { return nil }
        return Double(String(s))
    }
}
