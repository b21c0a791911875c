import JSON
import WorkloadEmulator

/// Shorthands for an operation's responses and list parameters, named `R` because every
/// row of the path tables uses them.
enum R {
    typealias O = OpenAPI
    static func ok(_ schema: String, _ description: String = "OK") -> (String, JSONValue) {
        ("200", O.json(description, O.ref(schema)))
    }
    static func status(_ code: Int, _ schema: String, _ description: String) -> (String, JSONValue) {
        (String(code), O.json(description, O.ref(schema)))
    }
    static let noContent = ("204", O.responseRef("NoContent"))
    static let badRequest = ("400", O.responseRef("BadRequest"))
    static let forbidden = ("403", O.responseRef("Forbidden"))
    static let notFound = ("404", O.responseRef("NotFound"))
    static let conflict = ("409", O.responseRef("Conflict"))
    static let unprocessable = ("422", O.responseRef("Unprocessable"))

    /// offset and limit, as every list takes them.
    static func window(maxLimit: Int = 100, defaultLimit: Int) -> [JSONValue] {
        [
            O.query("offset", ["type": "integer", "minimum": 0, "default": 0], "How many items to skip."),
            O.query(
                "limit",
                [
                    "type": "integer", "minimum": 1, "maximum": .int(Int64(maxLimit)),
                    "default": .int(Int64(defaultLimit)),
                ],
                "Page size."),
        ]
    }

    static func orderBy(_ fields: [String]) -> JSONValue {
        O.query(
            "orderBy", O.enumeration(fields.flatMap { [$0, "-" + $0] }),
            "Sort key; a leading `-` sorts descending.")
    }

    /// The list filters (comma-separated lists where plural).
    static func filters(_ names: [String]) -> [JSONValue] {
        let text: [String: String] = [
            "search": "Name substring, case-insensitive.", "ids": "Comma-separated ids.",
            "status": "Comma-separated statuses.", "importance": "Comma-separated importance levels.",
            "artifactId": "Comma-separated artifact ids.", "artifactStatus": "Comma-separated artifact statuses.",
            "repositoryId": "Comma-separated repository ids.", "createdBy": "Comma-separated creator ids.",
        ]
        return names.map { O.query($0, O.string, text[$0] ?? $0) }
    }
}
