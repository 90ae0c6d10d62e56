import Flow

/// What a window operator keeps besides its windows: its part of the late-records file, and its
/// counts of late records and fired windows. Written at the end of the operator's shared state;
/// on a restore every old subtask's counts and parts are added to new subtask 0, so nothing is
/// lost or counted twice at any parallelism.
struct WindowBookkeeping {
    private let part: SidePartWriter?
    private var late: TalliedCounter
    private var fired: TalliedCounter
    private var updated: TalliedCounter

    init(file: LateRecordFile, context: SubtaskContext) throws {
        part = try file.path.map { _ in try SidePartWriter(file: file.side, context: context) }
        late = TalliedCounter(context.metrics.counter("late records"))
        fired = TalliedCounter(context.metrics.counter("windows fired"))
        updated = TalliedCounter(context.metrics.counter("windows updated"))
    }

    /// Counts a late record and appends it to this subtask's part of the side file (when there is one).
    mutating func recordLate(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) throws {
        late.add(1)
        try part?.append(first: eventTime, second: 0,
                         json: LateRecordFile.json(key: key, eventTime: eventTime, watermark: watermark, missedWindows: missedWindows))
    }

    mutating func recordFired() { fired.add(1) }

    /// Counts a window fired again with late records.
    mutating func recordUpdated() { updated.add(1) }

    /// Hands the parts to the side file at the end of input.
    func handOver() throws { try part?.finish() }

    func write(to writer: inout StateWriter) throws {
        writer.write(late.total)
        writer.write(fired.total)
        writer.write(updated.total)
        if let part { try part.write(to: &writer) } else { writer.write([SidePart]()) }
    }

    /// Adds one old subtask's counts and parts, as ``write(to:)`` wrote them, from checkpoint `checkpoint`.
    mutating func add(from reader: inout StateReader, checkpoint: Int64) throws {
        late.add(try reader.readCounter())
        fired.add(try reader.readCounter())
        updated.add(try reader.readCounter())
        let parts = try SidePartWriter.readParts(from: &reader)
        try part?.takeOver(parts, checkpoint: checkpoint)
    }
}
