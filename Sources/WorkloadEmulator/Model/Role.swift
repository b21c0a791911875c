public enum Role: String, Sendable, CaseIterable {
    case owner = "OWNER", user = "USER", consumer = "CONSUMER"
}
