import JSON

#if canImport(Glibc)
import Glibc
#endif

/// Reads what the emulator's response recorder wrote: one NDJSON file per process in a
/// directory, one line per response `{method, path, query, status, contentType, body,
/// fault}`. Lines for answers a fault rule made up, or that the emulator's state file
/// refused with 507 (`fault: true`), are skipped: their shape is whatever the test asked
/// for, or the emulator's own.
public enum Recording {
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every distinct response recorded in `directory`, and how many lines were read in
    /// all (the suites repeat many answers byte for byte, e.g. a poll of an unchanging
    /// list; one check says the same as all).
    public static func read(directory: String) throws(ReadError) -> (samples: [ResponseSample], lines: Int) {
        guard let dir = opendir(directory) else { throw ReadError(description: "cannot open \(directory)") }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".ndjson") { names.append(name) }
        }
        closedir(dir)
        var samples: [ResponseSample] = []
        var seen = Set<ArraySlice<UInt8>>()
        var lines = 0
        for name in names.sorted() {
            let file = directory + "/" + name
            guard let bytes = Contract.readFile(file) else { throw ReadError(description: "cannot read \(file)") }
            var lineNumber = 0
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                lineNumber += 1
                lines += 1
                guard seen.insert(line).inserted else { continue }
                // A process killed mid-write leaves a partial last line; it is not a response.
                guard let value = try? JSONParser.parse(Array(line)) else { continue }
                guard value["fault"]?.boolValue != true else { continue }
                guard let method = value["method"]?.stringValue, let path = value["path"]?.stringValue,
                    let status = value["status"]?.exactInt
                else {
                    throw ReadError(description: "\(file):\(lineNumber): not a recorded response")
                }
                samples.append(
                    ResponseSample(
                        method: method, path: path, query: value["query"]?.stringValue ?? "", status: status,
                        contentType: value["contentType"]?.stringValue,
                        body: Array((value["body"]?.stringValue ?? "").utf8)))
            }
        }
        return (samples, lines)
    }
}
