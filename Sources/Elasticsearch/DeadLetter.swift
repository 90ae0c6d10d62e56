import Flow
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
/// by text, written (empty when nothing was refused) like any output, exactly once: the index
/// sinks' side output.
public typealias DeadLetterFile = SideFileOutput<DeadLetter>

extension SideFileOutput where Record == DeadLetter {
    /// The dead-letter file at `path`.
    public convenience init(path: String) {
        self.init(path: path, what: "dead-letter file", name: "dead letters")
    }
}
