/// A stored secret as `GET /api/v2/credentials/` shows it: never the secret itself.
/// A container's `environmentVars` entry `{"source": "dr-credential", "drCredentialId", "key"}`
/// refers to one by id.
public struct Credential: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var credentialType: String
    public var createdAt: Int64
    public var creatorId: String?

    public init(
        id: String, name: String, description: String? = nil, credentialType: String, createdAt: Int64,
        creatorId: String? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.credentialType = credentialType
        self.createdAt = createdAt
        self.creatorId = creatorId
    }

    /// The types DataRobot's Terraform provider creates (`credentials_model_service.go`).
    public static let types = [
        "basic", "api_token", "s3", "gcp", "azure", "azure_service_principal", "snowflake_oauth_user_account",
        "adls_gen2_oauth", "snowflake_key_pair_user_account", "databricks_access_token_account",
        "databricks_service_principal_account", "sap_oauth", "bearer", "oauth",
    ]
}
