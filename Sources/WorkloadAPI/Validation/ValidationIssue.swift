import JSON
import WorkloadEmulator

/// One problem with a request, in the real API's (pydantic's) shape:
/// `{"loc": ["body","runtime","containerGroups",0,"replicaCount"], "msg": …, "type": …}`.
public struct ValidationIssue: Sendable, Equatable {
    public var loc: [JSONValue]
    public var msg: String
    public var type: String
    public init(loc: [JSONValue], msg: String, type: String) {
        self.loc = loc
        self.msg = msg
        self.type = type
    }
    public var json: JSONValue { ["loc": .array(loc), "msg": .string(msg), "type": .string(type)] }
}
