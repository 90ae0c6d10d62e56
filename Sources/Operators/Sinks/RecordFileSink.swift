import Flow

/// Writes records to a file, one formatted line each after an optional header, published under
/// its name when the input ends.
///
/// Exactly once: at each checkpoint barrier the file is synced and its length and CRC-32 kept in
/// the checkpoint; a restored run checks that the in-progress file is that one, cuts it back to
/// that length and goes on, so the published file equals that of one uninterrupted run however
/// often the job crashed.
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
        if let restored = context.restored, let state = restored.firstShared {
            var reader = StateReader(state)
            let length = try reader.readInt(), count = try reader.readInt(), checksum = try reader.readInt64()
            // Every line ends in a newline, so there are never more lines than bytes.
            guard length >= 0, count >= 0, count <= length, let checksum = UInt32(exactly: checksum) else {
                throw StateReader.Damaged(description: "an impossible output length \(length), line count \(count) or checksum \(checksum)")
            }
            lines.add(count)
            file = try FileOutput(path: path, resuming: .init(length: length, checksum: checksum), checkpoint: restored.checkpointID)
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
        let mark = try file.mark()
        var state = StateWriter()
        state.write(mark.length)
        state.write(lines.total)
        state.write(Int64(mark.checksum))
        context.acknowledge(barrier, shared: state)
        if barrier.isSavepoint { file.keepForResume() }
    }

    public func receiveEndOfInput() throws { try file.publish() }

    deinit {
        // A job with checkpoints that stops early keeps its in-progress file for the restore.
        if hasCheckpoints { file.keepForResume() }
    }
}
