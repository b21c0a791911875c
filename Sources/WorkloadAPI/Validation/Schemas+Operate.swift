import JSON
import WorkloadEmulator

/// Bodies of the operate routes: replacement, settings, sharing, upstream.
extension Schemas {
    /// DataRobot's `workload_artifact_replace` sends exactly this (CLIENTS.md §4).
    static let replacement = replacement(legacy: false)

    static func replacement(legacy: Bool) -> Schema {
        .object([
            F("artifactId", .string(min: 1), required: true),
            F("strategy", .enumeration(["rolling"])),
            F(
                "config",
                .object([
                    F("warmupDurationMinutes", .integer(min: 0, max: 10_080)),
                    F("keepOldVersionMinutes", .integer(min: 0, max: 10_080)),
                ]), nullable: true),
            F("runtime", runtime(legacy: legacy), nullable: true),
        ])
    }

    static let settings = settings(legacy: false)

    /// `UpdateSettingsRequest`.
    static func settings(legacy: Bool) -> Schema {
        .object([F("runtime", runtime(legacy: legacy), required: true)])
    }

    /// `SharingRole`. The emulator has three roles: the real API's other names grant the
    /// nearest one (ADMIN: OWNER; READ_WRITE, EDITOR, DATA_SCIENTIST, READ_ONLY, OBSERVER: USER).
    static let roleNames = [
        "NO_ROLE", "OWNER", "READ_WRITE", "EDITOR", "USER", "DATA_SCIENTIST", "ADMIN", "READ_ONLY", "CONSUMER",
        "OBSERVER",
    ]

    /// A role name in any case; `.some(nil)` is NO_ROLE; nil: not a role.
    static func sharingRole(_ text: String) -> Role?? {
        switch text.uppercased() {
        case "ADMIN": return .some(.owner)
        case "READ_WRITE", "EDITOR", "DATA_SCIENTIST", "READ_ONLY", "OBSERVER": return .some(.user)
        default: return Role.parse(text)
        }
    }

    /// `SubjectType`: only users exist in the emulator (others are a 404).
    static let recipientTypes = ["user", "group", "organization", "role"]

    static let sharedRoles = Schema.object([
        F("operation", .enumeration(["updateRoles"]), required: true),
        F(
            "roles",
            .array(
                .object([
                    F("username", .string(min: 1)), F("id", .string(min: 1)),
                    // Case-insensitive: checked by `sharingRules`.
                    F("role", .string(min: 1), required: true),
                    F("shareRecipientType", .enumeration(recipientTypes), required: true),
                ]), min: 1, max: 100), required: true),
    ])

    /// Role names in any case; exactly one of username or id per entry.
    static func sharingRules(_ body: JSONValue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (i, entry) in (body["roles"]?.arrayValue ?? []).enumerated() {
            let loc: [JSONValue] = ["body", "roles", .int(Int64(i))]
            if let role = entry["role"]?.stringValue, sharingRole(role) == nil {
                issues.append(
                    ValidationIssue(
                        loc: loc + ["role"], msg: "Input should be \(Schema.listing(roleNames))", type: "enum"))
            }
            if (entry["username"] == nil) == (entry["id"] == nil) {
                issues.append(
                    ValidationIssue(
                        loc: loc, msg: "Value error, exactly one of 'username' or 'id' must be provided",
                        type: "value_error"))
            }
        }
        return issues
    }

    static let upstream = Schema.object([F("url", .string(min: 1), required: true, nullable: true)])
}
