/// Filters, order and window of a list request.
public struct ListQuery: Sendable {
    public enum OrderField: String, Sendable, CaseIterable { case name, createdAt, updatedAt, status, importance }

    public var offset: Int = 0
    public var limit: Int = 10
    public var search: String?
    public var ids: [String]?
    public var statuses: [WorkloadStatus]?
    public var importance: [Importance]?
    public var artifactIds: [String]?
    public var artifactStatus: [ArtifactStatus]?
    public var repositoryIds: [String]?
    public var createdBy: [String]?
    public var orderBy: (field: OrderField, descending: Bool)?

    public init() {}

    public var filters: Bool {
        search != nil || ids != nil || statuses != nil || importance != nil || artifactIds != nil
            || artifactStatus != nil || repositoryIds != nil || createdBy != nil
    }
}

public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var totalCount: Int
}
