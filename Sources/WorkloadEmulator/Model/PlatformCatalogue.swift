/// What a sandbox's platform routes list before anyone adds to it: compute bundles,
/// credentials and execution environments. Configuration rather than state: it comes
/// from the built-in defaults or fixture files, and every new or restored world starts
/// from it (so it survives a restart without being in the state file).
public struct PlatformCatalogue: Sendable, Equatable {
    public var bundles: [ComputeBundle]
    public var credentials: [Credential]
    public var executionEnvironments: [ExecutionEnvironment]

    public init(
        bundles: [ComputeBundle] = ComputeBundle.builtIn, credentials: [Credential] = [],
        executionEnvironments: [ExecutionEnvironment] = ExecutionEnvironment.builtIn
    ) {
        self.bundles = bundles
        self.credentials = credentials
        self.executionEnvironments = executionEnvironments
    }

    public static let builtIn = PlatformCatalogue()

    public func bundle(_ id: String) -> ComputeBundle? { bundles.first { $0.id == id } }
}
