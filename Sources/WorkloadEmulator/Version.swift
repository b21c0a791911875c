public enum WorkloadEmulatorModule { public static let version = "0.1.0" }
