import JSON
import WorkloadEmulator

/// Block-style YAML 1.2 for a JSON value. Strings are written double-quoted with JSON's
/// escapes (valid YAML), so no plain scalar can be misread as a number, bool or null.
enum YAMLWriter {
    static func write(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case let .object(o) where !o.isEmpty: writeObject(o, indent: 0, into: &out)
        case let .array(a) where !a.isEmpty: writeArray(a, indent: 0, into: &out)
        default: out = scalar(value) + "\n"
        }
        return out
    }

    static func isBlock(_ v: JSONValue) -> Bool {
        switch v {
        case let .object(o): return !o.isEmpty
        case let .array(a): return !a.isEmpty
        default: return false
        }
    }

    static func scalar(_ v: JSONValue) -> String {
        switch v {
        case let .object(o) where o.isEmpty: return "{}"
        case let .array(a) where a.isEmpty: return "[]"
        case .double: return yaml11Float(JSONSerializer.string(v))
        default: return JSONSerializer.string(v)
        }
    }

    /// YAML 1.1 readers (PyYAML) take `1e-06` for a string: give the mantissa a dot and
    /// the exponent a sign (`1.0e-06`), which YAML 1.2 reads the same.
    static func yaml11Float(_ s: String) -> String {
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
        var mantissa = String(s[..<e])
        var exponent = String(s[s.index(after: e)...])
        if !mantissa.contains(".") { mantissa += ".0" }
        if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
        return mantissa + "e" + exponent
    }

    /// Keys made of these characters, starting with a letter, `/` or `$`, need no quotes.
    static func key(_ k: String) -> String {
        guard let first = k.unicodeScalars.first else { return "\"\"" }
        let startOK = (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") || first == "/" || first == "$"
        let restOK = k.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || "_-./${}".unicodeScalars.contains(c)
        }
        let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(k.lowercased())
        return startOK && restOK && !reserved ? k : JSONSerializer.string(.string(k))
    }

    static func writeObject(_ o: JSONObject, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (k, v) in o {
            out += pad + key(k) + ":"
            if isBlock(v) {
                out += "\n"
                writeBlock(v, indent: indent + 2, into: &out)
            } else {
                out += " " + scalar(v) + "\n"
            }
        }
    }

    static func writeArray(_ a: [JSONValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for v in a {
            if isBlock(v) {
                // Written two deeper, then the first line's indent becomes the dash.
                var item = ""
                writeBlock(v, indent: indent + 2, into: &item)
                out += pad + "- " + item.dropFirst(indent + 2)
            } else {
                out += pad + "- " + scalar(v) + "\n"
            }
        }
    }

    static func writeBlock(_ v: JSONValue, indent: Int, into out: inout String) {
        switch v {
        case let .object(o): writeObject(o, indent: indent, into: &out)
        case let .array(a): writeArray(a, indent: indent, into: &out)
        default: out += String(repeating: " ", count: indent) + scalar(v) + "\n"
        }
    }
}
