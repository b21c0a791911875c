/// The JSON path notation the checker's mismatches use (`$.data[0].status`,
/// `$["odd key"]`), for other reports that point into a document.
public enum JSONPath {
    public static let root = "$"
    public static func child(_ path: String, _ key: String) -> String { SchemaValidator.child(path, key) }
    public static func element(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }
}
