import HTTPServer
import Synchronization

/// `record`'s names for the credentials it sees: the first distinct one is `user-1`, the
/// next `user-2`, and so on. Only a counter reaches the recording; a hash of a short token
/// could be reversed by trying tokens, a counter says nothing about it. The credentials
/// themselves stay in this process's memory.
final class UserLabels: Sendable {
    private let labels = Mutex<[String: String]>([:])

    /// Request headers whose value identifies the caller.
    static func credential(_ headers: HTTPHeaders) -> String? {
        var parts: [String] = []
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "authorization" || lower == "cookie"
                || (lower != "x-emulator-token" && Redaction.isCredential(lower))
            {
                parts.append(lower + "\u{0}" + value)
            }
        }
        return parts.isEmpty ? nil : parts.sorted().joined(separator: "\u{1}")
    }

    func label(for headers: HTTPHeaders) -> String? {
        guard let credential = Self.credential(headers) else { return nil }
        return labels.withLock { labels in
            if let known = labels[credential] { return known }
            let label = "user-\(labels.count + 1)"
            labels[credential] = label
            return label
        }
    }
}
