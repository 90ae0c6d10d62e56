import Flow
import Foundation
import Operators

/// A `_bulk` action the index refused for good (4xx) or answered with a malformed result: the
/// side output of the index sinks, written to the dead-letter file.
public struct DeadLetter: SideFileRecord, Equatable {
    /// The document id.
    public var id: String
    /// The item's HTTP status (0 for a malformed result).
    public var status: Int
    /// The error type, and the reason in words.
    public var type: String
    public var reason: String
    /// The action's NDJSON lines.
    public var action: String

    /// Dead letters are merged by their text (action first), so the file is the same whichever
    /// subtask met them.
    public var sortKeys: (first: Int64, second: Int64) { (0, 0) }

    public var jsonLine: String {
        "{\"action\":\(JSONText.quoted(action)),\"id\":\(JSONText.quoted(id)),\"reason\":\(JSONText.quoted(reason)),"
            + "\"status\":\(status),\"type\":\(JSONText.quoted(type))}\n"
    }
}

/// The dead-letter file: JSON Lines `{"action":…,"id":…,"reason":…,"status":…,"type":…}`, sorted
/// by text. The index sinks emit dead letters as side output ``records``, which ends in a
/// ``SideFileSink`` per sink subtask; at the end of input the parts are merged into the file,
/// which is written (empty when nothing was refused) like any output, exactly once.
public final class DeadLetterFile: Sendable {
    /// The file, which always has a path.
    public let side: SideFile
    /// The sinks' side output of dead letters.
    public let records = SideOutput<DeadLetter>("dead letters")

    public var path: String { side.path! }

    public init(path: String) { side = SideFile(path: path, what: "dead-letter file") }

    /// The sink of one index-sink subtask's dead letters; makes the file's folder (the default
    /// `out/`) rather than stop a job that may never refuse anything.
    public func sink(context: SubtaskContext) throws -> SideFileSink<DeadLetter> {
        if let slash = path.lastIndex(of: "/") {
            try? FileManager.default.createDirectory(atPath: String(path[..<slash]), withIntermediateDirectories: true)
        }
        return try SideFileSink(file: side, context: context)
    }
}
