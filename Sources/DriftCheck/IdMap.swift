import JSON

/// The real service's ids and the emulator's for the same objects. Learnt by walking the
/// two answers of one exchange side by side: an id at the same place in both (a field
/// `id`, `…Id`, or an item of `…Ids`) is the same object, so the n-th id the real service
/// created pairs with the n-th the emulator created. Later requests get the emulator's.
public struct IdMap: Sendable {
    public private(set) var pairs: [(real: String, emulator: String)] = []
    private var known: Set<String> = []

    public init() {}

    static func isIdKey(_ key: String) -> Bool { key == "id" || key.hasSuffix("Id") || key.hasSuffix("_id") }
    static func isIdListKey(_ key: String) -> Bool { key.hasSuffix("Ids") || key.hasSuffix("_ids") }

    public mutating func learn(real: JSONValue, emulator: JSONValue) { walk(real, emulator, key: nil) }

    private mutating func pair(_ r: String, _ e: String) {
        // Short values ("1", "") are not ids worth substituting into text.
        guard r.count >= 4, !known.contains(r) else { return }
        known.insert(r)
        pairs.append((r, e))
    }

    private mutating func walk(_ r: JSONValue, _ e: JSONValue, key: String?) {
        switch (r, e) {
        case let (.object(ro), .object(eo)):
            for (k, rv) in ro { if let ev = eo[k] { walk(rv, ev, key: k) } }
        case let (.array(ra), .array(ea)):
            for (rv, ev) in zip(ra, ea) { walk(rv, ev, key: key.map { Self.isIdListKey($0) ? "id" : $0 }) }
        case let (.string(rs), .string(es)):
            if let key, Self.isIdKey(key), rs != es { pair(rs, es) }
        default: break
        }
    }

    /// `text` with every real id replaced by the emulator's; longer ids first, so that
    /// an id that contains another is replaced whole.
    public func apply(_ text: String) -> String {
        guard !pairs.isEmpty, !text.isEmpty else { return text }
        var out = text
        for (r, e) in pairs.sorted(by: { $0.real.count > $1.real.count }) {
            out = out.replacingAll(r, with: e)
        }
        return out
    }

    /// `text` with every real id replaced by `{id}`: the operation a path names.
    public func template(_ text: String) -> String {
        var out = text
        for (r, _) in pairs.sorted(by: { $0.real.count > $1.real.count }) {
            out = out.replacingAll(r, with: "{id}")
        }
        return out
    }
}

extension String {
    /// Without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8)
        let s = Array(self.utf8)
        guard !t.isEmpty, s.count >= t.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if i <= s.count - t.count, s[i] == t[0], s[i..<(i + t.count)].elementsEqual(t) {
                out += replacement.utf8
                i += t.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
