/// Minimal JSON string quoting, for the engine's own error bodies and the executable's
/// request log (the HTTP layer cannot use the domain's serializer). DEL is escaped too,
/// so text from the network never puts a control character into a log line.
public enum JSONString {
    public static func quote(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }

    public static func append(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
