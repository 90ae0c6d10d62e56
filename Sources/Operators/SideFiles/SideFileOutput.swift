import Flow
import Foundation

/// A side output that ends in a side file: the typed stream operators emit into (``records``),
/// the sink of each emitting subtask (``sink(context:)``, a ``SideFileSink``), and the file the
/// sinks' parts are merged into when the job ends (``write()``). The reject, late-records and
/// dead-letter files are side file outputs.
public final class SideFileOutput<Record: SideFileRecord>: Sendable {
    /// The file the side output is merged into.
    public let side: SideFile
    private let output: SideOutput<Record>

    /// Where the file goes; nil keeps nothing.
    public var path: String? { side.path }

    /// A side output named `name` ("rejected lines"), written to `path` (nil keeps nothing), the
    /// file named `what` in messages ("reject file").
    public init(path: String?, what: String, name: String) {
        side = SideFile(path: path, what: what)
        output = SideOutput(name)
    }

    /// The side output the operators emit into; nil when the file is not kept.
    public var records: SideOutput<Record>? { path == nil ? nil : output }

    /// The sink of one emitting subtask; makes the file's folder if it is missing (the default
    /// `out/`) rather than stop a job that may never emit anything.
    public func sink(context: SubtaskContext) throws -> SideFileSink<Record> {
        if let path, let slash = path.lastIndex(of: "/") {
            try? FileManager.default.createDirectory(atPath: String(path[..<slash]), withIntermediateDirectories: true)
        }
        return try SideFileSink(file: side, context: context)
    }

    /// Merges the sinks' parts into the file and publishes it (only if a path was given).
    public func write() throws { try side.publish() }
}
