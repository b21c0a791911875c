/// The platform routes DataRobot's clients call on the way to a workload.
enum PlatformRoutes {
    static func register(_ t: inout RouteTable) {
        ComputeBundleRoutes.register(&t)
        OtelRoutes.register(&t)
        CredentialRoutes.register(&t)
        ExecutionEnvironmentRoutes.register(&t)
    }
}
