import JSON

/// What `record` never writes: credentials, so that a recording can be attached to a
/// bug report as it is. Headers are not recorded at all except a few harmless ones;
/// bodies keep their shape, with the value of every credential-like field replaced.
public enum Redaction {
    public static let marker = "[redacted]"

    /// A field whose name says it holds a secret (`apiToken`, `password`, `clientSecret`,
    /// `authorization`, `cookie`, `privateKey`…), compared without case or separators.
    public static func isCredential(_ key: String) -> Bool {
        let k = String(key.lowercased().filter { $0 != "_" && $0 != "-" })
        for word in ["token", "password", "passwd", "secret", "authorization", "cookie", "apikey", "privatekey"]
        where k.contains(word) {
            return true
        }
        return k == "key" || k == "credential" || k == "credentials"
    }

    public static func scrub(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(o):
            var out = JSONObject()
            for (key, v) in o {
                if isCredential(key), !v.isNull { out.append(key, .string(marker)) } else { out.append(key, scrub(v)) }
            }
            return .object(out)
        case let .array(items): return .array(items.map(scrub))
        default: return value
        }
    }

    /// A body as text: JSON scrubbed; anything else only if it says nothing secret-like
    /// (a form or text body is dropped whole rather than guessed at).
    public static func scrubBody(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "" }
        if let value = try? JSONParser.parse(bytes) { return JSONSerializer.string(scrub(value)) }
        let text = String(decoding: bytes, as: UTF8.self)
        let lower = text.lowercased()
        for word in ["token", "password", "secret", "authorization", "bearer", "cookie", "key"]
        where lower.contains(word) {
            return marker
        }
        return text
    }

    /// Query parameters whose name is a credential keep their name only.
    public static func scrubQuery(_ query: String) -> String {
        guard !query.isEmpty else { return query }
        return query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.prefix { $0 != "=" }
            return isCredential(String(name)) && name.count < pair.count ? "\(name)=\(marker)" : String(pair)
        }.joined(separator: "&")
    }
}
