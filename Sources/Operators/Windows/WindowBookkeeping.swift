import Flow

/// What a window operator keeps besides its windows: its late records for the side file, and its
/// counts of late records and fired windows. Written at the end of the operator's shared state;
/// on a restore every old subtask's part is added to new subtask 0, so nothing is lost or counted
/// twice at any parallelism.
struct WindowBookkeeping {
    private let file: LateRecordFile
    private var late: TalliedCounter
    private var fired: TalliedCounter
    private var updated: TalliedCounter
    private var entries: [LateRecordFile.Entry] = []

    init(file: LateRecordFile, context: SubtaskContext) {
        self.file = file
        late = TalliedCounter(context.metrics.counter("late records"))
        fired = TalliedCounter(context.metrics.counter("windows fired"))
        updated = TalliedCounter(context.metrics.counter("windows updated"))
    }

    /// Counts a late record and keeps it for the side file (when there is one).
    mutating func recordLate(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) {
        late.add(1)
        if let entry = file.entry(key: key, eventTime: eventTime, watermark: watermark, missedWindows: missedWindows) { entries.append(entry) }
    }

    mutating func recordFired() { fired.add(1) }

    /// Counts a window fired again with late records.
    mutating func recordUpdated() { updated.add(1) }

    /// Hands the late records to the side file at the end of input.
    func handOver() { file.collect(entries) }

    func write(to writer: inout StateWriter) {
        writer.write(late.total)
        writer.write(fired.total)
        writer.write(updated.total)
        writer.write(entries)
    }

    /// Adds one old subtask's part, as ``write(to:)`` wrote it.
    mutating func add(from reader: inout StateReader) throws {
        late.add(try reader.readCounter())
        fired.add(try reader.readCounter())
        updated.add(try reader.readCounter())
        entries += try reader.readArray(of: LateRecordFile.Entry.self)
    }
}
