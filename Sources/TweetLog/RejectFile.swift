import Flow
import Operators

/// The malformed lines of a tweet log, written as JSON Lines: `{"file":…,"line":…,"reason":…,"text":…}`.
/// Lines longer than 64 KiB are cut.
///
/// The decoders emit them as side output ``records``, which ends in a ``SideFileSink`` per
/// decoder subtask; at the end of input the sinks' parts are merged by file and line into the
/// file, so it is the same at every parallelism.
public final class RejectFile: Sendable {
    /// The file the side output is merged into.
    public let side: SideFile

    /// Where the file goes; nil keeps only the count.
    public var path: String? { side.path }

    public init(path: String?) { side = SideFile(path: path, what: "reject file") }

    /// The decoders' side output of malformed lines; nil when the file is not kept.
    public var records: SideOutput<RejectedLine>? { path == nil ? nil : output }
    private let output = SideOutput<RejectedLine>("rejected lines")

    /// The sink of one decoder subtask's rejected lines.
    public func sink(context: SubtaskContext) throws -> SideFileSink<RejectedLine> {
        try SideFileSink(file: side, context: context)
    }

    /// Merges the decoders' parts into the file and publishes it (only if a path was given).
    public func write() throws { try side.publish() }
}
