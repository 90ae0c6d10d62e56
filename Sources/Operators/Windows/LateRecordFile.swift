import Flow

/// The side output of records that came after a window they belong to had fired: counted, and
/// written as JSON Lines `{"key":…,"event_time_ms":…,"watermark_ms":…,"missed_windows":…}`.
///
/// Each window subtask appends its entries to its own part on disk as it makes them (a
/// ``SideFile``); a checkpoint keeps only where the parts stand. At the end of input the parts
/// are sorted by event time, then text, in bounded memory and merged into the file, so its
/// content does not depend on the parallelism.
public final class LateRecordFile: Sendable {
    let side: SideFile

    public var path: String? { side.path }

    public init(path: String?) { side = SideFile(path: path, what: "late-records file") }

    /// The file's line for a late record.
    static func json(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) -> String {
        "{\"key\":\(JSONText.quoted(key)),\"event_time_ms\":\(eventTime),\"watermark_ms\":\(watermark),\"missed_windows\":\(missedWindows)}\n"
    }

    /// Sorts and merges the window subtasks' parts into the file and publishes it (only if a path was given).
    public func write() throws { try side.publish() }
}
