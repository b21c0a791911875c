/// The route table: method + path pattern → handler, the way API docs read.
///
/// Patterns are `/literal/{param}/…`; a last segment `{name...}` takes the rest of the
/// path (zero or more segments). A trailing slash on the request is ignored, and a
/// literal segment beats a parameter at the same place. HEAD falls back to GET.
public struct Router: Sendable {
    public enum Match {
        case found(HTTPHandler, parameters: [String: String], pattern: String)
        case methodNotAllowed(allow: [String])
        case notFound
    }

    private final class Node: @unchecked Sendable {
        // Safe: nodes are only mutated while routes are added, before the router is
        // shared; `Router` copies the whole tree on write (see `add`).
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var catchAll: (name: String, handlers: [String: Entry])?
        var handlers: [String: Entry] = [:]

        func copy() -> Node {
            let n = Node()
            n.literals = literals.mapValues { $0.copy() }
            n.parameter = parameter.map { ($0.name, $0.node.copy()) }
            n.catchAll = catchAll
            n.handlers = handlers
            return n
        }
    }

    private struct Entry {
        let handler: HTTPHandler
        let pattern: String
    }

    private var root = Node()
    /// Every (method, pattern) added, in order: the OpenAPI coverage test walks this.
    public private(set) var routes: [(method: String, pattern: String)] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        routes.append((method: method, pattern: pattern))
        var node = root
        let segments = Router.segments(of: pattern)
        for (i, sub) in segments.enumerated() {
            let segment = String(sub)
            if segment.hasPrefix("{") && segment.hasSuffix("...}") {
                precondition(i == segments.count - 1, "catch-all must be last in \(pattern)")
                let name = String(segment.dropFirst().dropLast(4))
                var handlers = node.catchAll?.handlers ?? [:]
                handlers[method] = Entry(handler: handler, pattern: pattern)
                node.catchAll = (name, handlers)
                return
            } else if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let p = node.parameter {
                    precondition(p.name == name, "conflicting parameter names at \(pattern)")
                    node = p.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
            } else {
                if let child = node.literals[segment] {
                    node = child
                } else {
                    let child = Node()
                    node.literals[segment] = child
                    node = child
                }
            }
        }
        node.handlers[method] = Entry(handler: handler, pattern: pattern)
    }

    public func match(method: String, path: String) -> Match {
        let segments = Router.segments(of: path)
        var parameters: [String: String] = [:]
        guard let handlers = Router.find(root, segments[...], &parameters) else { return .notFound }
        if let entry = handlers[method] ?? (method == "HEAD" ? handlers["GET"] : nil) {
            return .found(entry.handler, parameters: parameters, pattern: entry.pattern)
        }
        var allow = Set(handlers.keys)
        if allow.contains("GET") { allow.insert("HEAD") }
        return .methodNotAllowed(allow: allow.sorted())
    }

    private static func find(
        _ node: Node, _ rest: ArraySlice<Substring>, _ parameters: inout [String: String]
    ) -> [String: Entry]? {
        guard let segment = rest.first else {
            if !node.handlers.isEmpty { return node.handlers }
            if let c = node.catchAll {
                parameters[c.name] = ""
                return c.handlers
            }
            return nil
        }
        let tail = rest.dropFirst()
        if let child = node.literals[String(segment)], let found = find(child, tail, &parameters) {
            return found
        }
        if let p = node.parameter, !segment.isEmpty {
            let saved = parameters
            parameters[p.name] = PercentDecoding.decode(segment)
            if let found = find(p.node, tail, &parameters) { return found }
            parameters = saved
        }
        if let c = node.catchAll {
            parameters[c.name] = rest.joined(separator: "/")
            return c.handlers
        }
        return nil
    }

    /// `/a/b/` → ["a", "b"]; `/` → []. Inner empty segments are kept so `//` never matches.
    static func segments<S: StringProtocol>(of path: S) -> [Substring] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map { Substring($0) }
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}
