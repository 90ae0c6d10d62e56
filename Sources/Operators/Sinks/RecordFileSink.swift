import Flow

/// Writes records to a file, one formatted line each after an optional header, published under
/// its name when the input ends.
///
/// Exactly once: at each checkpoint barrier the file is synced and its length kept in the
/// checkpoint; a restored run cuts the in-progress file back to that length and goes on, so the
/// published file equals that of one uninterrupted run however often the job crashed.
public final class RecordFileSink<Record: Sendable>: ElementReceiver {
    private let file: FileOutput
    private let line: (Record) -> String
    private var lines: TalliedCounter
    private let context: SubtaskContext
    private let hasCheckpoints: Bool

    public init(path: String, header: String?, context: SubtaskContext, line: @escaping (Record) -> String) throws {
        self.line = line
        self.context = context
        lines = TalliedCounter(context.metrics.counter("output lines"))
        hasCheckpoints = context.checkpoints != nil
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            let length = try reader.readInt()
            lines.add(try reader.readInt())
            file = try FileOutput(path: path, resumeLength: length)
        } else {
            file = try FileOutput(path: path)
            if let header { try file.write(header) }
        }
    }

    public func receive(_ batch: [Record]) throws {
        for record in batch { try file.write(line(record)) }
        lines.add(batch.count)
    }

    public func receive(watermark: EventTime) throws {}

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(try file.syncedLength())
        state.write(lines.total)
        context.acknowledge(barrier, shared: state)
        if barrier.isSavepoint { file.keepForResume() }
    }

    public func receiveEndOfInput() throws { try file.publish() }

    deinit {
        // A job with checkpoints that stops early keeps its in-progress file for the restore.
        if hasCheckpoints { file.keepForResume() }
    }
}
