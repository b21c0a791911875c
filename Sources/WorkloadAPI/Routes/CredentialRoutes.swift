import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/credentials/`: stored secrets, listed without their values. From fixture
/// files (`"credentials"`) or created here (what DataRobot's CLI does for `.env` secrets).
enum CredentialRoutes {
    static let root = "/api/v2/credentials"

    static func register(_ t: inout RouteTable) {
        t.add("GET", root, list)
        t.add("POST", root, create)
        t.add("GET", root + "/{id}", get)
        t.add("DELETE", root + "/{id}", delete)
    }

    typealias F = Schema.Field

    /// The fields DataRobot's Terraform provider and CLI send; the secret ones are
    /// accepted and dropped (the emulator never returns them).
    static let createSchema = Schema.object([
        F("name", .string(min: 1, max: 255), required: true), F("credentialType", .enumeration(Credential.types)),
        F("description", .string(max: 1000), nullable: true), F("apiToken", .string()), F("user", .string()),
        F("password", .string()), F("token", .string()), F("refreshToken", .string()), F("gcpKey", .any),
        F("awsAccessKeyId", .string()), F("awsSecretAccessKey", .string()), F("awsSessionToken", .string()),
        F("configId", .string(), nullable: true), F("azureConnectionString", .string()),
        F("clientId", .string()), F("clientSecret", .string()), F("privateKeyStr", .string()),
    ])

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: 1000, legacy: false)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = PlatformQuery(r.http)
        let types = Set(q.list("types") + q.list("credentialType"))
        let all = r.sandbox.read { $0.platform.credentials }.filter {
            types.isEmpty || types.contains($0.credentialType)
        }
        let start = min(lr.query.offset, all.count)
        let page = all[start..<min(start + lr.query.limit, all.count)].map(Documents.credential)
        return Responses.json(200, lr.envelope(page, totalCount: all.count, request: r))
    }

    @Sendable static func create(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(createSchema)
        guard let body = parsed.value else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let c = try r.sandbox.execute { (w) throws(DomainError) in
                try w.createCredential(
                    name: body["name"]?.stringValue ?? "",
                    credentialType: body["credentialType"]?.stringValue ?? "basic",
                    description: body["description"]?.stringValue, by: r.user)
            }
            return Responses.json(201, Documents.credential(c))
        }
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let c = try r.sandbox.execute { (w) throws(DomainError) in try w.credential(r.parameter("id")) }
            return Responses.json(200, Documents.credential(c))
        }
    }

    @Sendable static func delete(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (w) throws(DomainError) in try w.deleteCredential(r.parameter("id")) }
            return Responses.noContent
        }
    }
}
