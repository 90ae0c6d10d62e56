import Flow

/// Writes records to a file, one formatted line each after an optional header, published under
/// its name when the input ends.
///
/// Exactly once: at each checkpoint the file is synced and its length and CRC-32 kept in
/// the checkpoint; a restored run checks that the in-progress file is that one, cuts it back to
/// that length and goes on, so the published file equals that of one uninterrupted run however
/// often the job crashed.
public final class RecordFileSink<Record: Sendable>: Sink {
    private let path: String
    private let header: String?
    private let line: (Record) -> String
    private let lines: Counter
    private let isCheckpointed: Bool
    /// Where a restored run goes on: the checkpoint's mark of the in-progress file.
    private var resumption: (mark: FileOutput.Mark, checkpoint: Int64)?
    private var file: FileOutput?

    public init(path: String, header: String?, context: SubtaskContext, line: @escaping (Record) -> String) {
        self.path = path
        self.header = header
        self.line = line
        lines = context.metrics.counter("output lines")
        isCheckpointed = context.isCheckpointed
    }

    public var declaredState: [StateDeclaration] { [.splitList("file")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("file").first else { return }
        let length = try reader.readInt(), checksum = try reader.readInt64()
        guard length >= 0, let checksum = UInt32(exactly: checksum) else {
            throw StateReader.Damaged(description: "an impossible output length \(length) or checksum \(checksum)")
        }
        resumption = (.init(length: length, checksum: checksum), state.checkpointID)
    }

    public func open() throws {
        if let resumption {
            file = try FileOutput(path: path, resuming: resumption.mark, checkpoint: resumption.checkpoint)
        } else {
            let file = try FileOutput(path: path)
            if let header { try file.write(header) }
            self.file = file
        }
    }

    public func process(_ batch: [Record], into output: Collector<Never>) throws {
        guard let file else { preconditionFailure("RecordFileSink used before open()") }
        for record in batch { try file.write(line(record)) }
        lines.add(batch.count)
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        guard let file else { return }
        let mark = try file.mark()
        var state = StateWriter()
        state.write(mark.length)
        state.write(Int64(mark.checksum))
        snapshot.add("file", state)
        if snapshot.isSavepoint { file.keepForResume() }
    }

    public func onEndOfInput(into output: Collector<Never>) throws { try file?.publish() }

    deinit {
        // A job with checkpoints that stops early keeps its in-progress file for the restore.
        if isCheckpointed { file?.keepForResume() }
    }
}
