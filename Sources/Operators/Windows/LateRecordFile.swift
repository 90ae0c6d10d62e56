import Flow

/// The file of records that came after a window they belong to had closed, as JSON Lines
/// `{"key":…,"event_time_ms":…,"watermark_ms":…,"missed_windows":…}`.
///
/// The window operators emit them as side output ``records``, which ends in a
/// ``SideFileSink`` per window subtask; at the end of input the sinks' parts are sorted by event
/// time, then text, in bounded memory and merged into the file, so its content does not depend
/// on the parallelism.
public final class LateRecordFile: Sendable {
    /// The file the side output is merged into.
    public let side: SideFile

    public var path: String? { side.path }

    public init(path: String?) { side = SideFile(path: path, what: "late-records file") }

    /// The window operators' side output of late records; nil when the file is not kept.
    public var records: SideOutput<LateRecord>? { path == nil ? nil : output }
    private let output = SideOutput<LateRecord>("late records")

    /// The sink of one window subtask's late records.
    public func sink(context: SubtaskContext) throws -> SideFileSink<LateRecord> {
        try SideFileSink(file: side, context: context)
    }

    /// Sorts and merges the window subtasks' parts into the file and publishes it (only if a path was given).
    public func write() throws { try side.publish() }
}
