import JSON

public struct User: Sendable, Equatable {
    public var id: String
    public var username: String
    public var token: String

    public init(id: String, username: String, token: String) {
        self.id = id
        self.username = username
        self.token = token
    }

    /// Open mode: every token names its own user, the same one in every sandbox and
    /// every run (independent of `--seed`).
    public static func derived(fromToken token: String) -> User {
        let a = IdGenerator.fnv1a(token)
        var r = SplitMix64(seed: a)
        let id = IdGenerator.hex(r.next(), digits: 16) + IdGenerator.hex(r.next() >> 32, digits: 8)
        return User(id: id, username: "user-\(id.prefix(8))@example.com", token: token)
    }

    public var json: JSONValue { ["id": .string(id), "username": .string(username)] }
}
