import Flow

/// A record of a side output written to a ``SideFile``: its line, and the two keys the file is
/// sorted by.
public protocol SideFileRecord: Sendable {
    /// The keys the merged file is sorted by (then by the line itself).
    var sortKeys: (first: Int64, second: Int64) { get }
    /// The record's JSON line, ending in a line feed.
    var jsonLine: String { get }
}

/// The sink of a side output that ends in a side file (the reject file, the late-records file):
/// each subtask appends to its own part as records come, its checkpoint keeps where the parts
/// stand (``SidePartWriter``), and at the end of input it hands them to the file, which merges
/// them. So the file holds each record once however often the job was restored.
///
/// Declared state: the parts (a split list).
public final class SideFileSink<Record: SideFileRecord>: Sink {
    private let parts: SidePartWriter

    /// A sink writing to `file`, which must have a path.
    public init(file: SideFile, context: SubtaskContext) throws {
        parts = try SidePartWriter(file: file, context: context)
    }

    public var declaredState: [StateDeclaration] { [.splitList("parts")] }

    public func restoreState(from state: RestoredState) throws {
        try parts.restore(from: state, as: "parts")
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        try parts.snapshot(into: &snapshot, as: "parts")
    }

    public func process(_ batch: [Record], into output: Collector<Never>) throws {
        for record in batch {
            let keys = record.sortKeys
            try parts.append(first: keys.first, second: keys.second, json: record.jsonLine)
        }
    }

    public func onEndOfInput(into output: Collector<Never>) throws {
        try parts.finish()
    }
}
