import Flow

/// What a window operator keeps besides its windows: its part of the late-records file (split-list
/// state: on a restore each old part goes to exactly one new subtask), and its counts of late
/// records and fired windows (runtime counters).
@usableFromInline
struct WindowBookkeeping {
    /// The name of the split-list state holding the late-record parts.
    static let stateName = "late parts"
    private let part: SidePartWriter?
    private let late: Counter
    private let fired: Counter
    private let updated: Counter

    init(file: LateRecordFile, context: SubtaskContext) throws {
        part = try file.path.map { _ in try SidePartWriter(file: file.side, context: context) }
        late = context.metrics.counter("late records")
        fired = context.metrics.counter("windows fired")
        updated = context.metrics.counter("windows updated")
    }

    /// Counts a late record and appends it to this subtask's part of the side file (when there is one).
    @usableFromInline
    func recordLate(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) throws {
        late.add(1)
        try part?.append(first: eventTime, second: 0,
                         json: LateRecordFile.json(key: key, eventTime: eventTime, watermark: watermark, missedWindows: missedWindows))
    }

    @usableFromInline
    func recordFired() { fired.add(1) }

    /// Counts a window fired again with late records.
    @usableFromInline
    func recordUpdated() { updated.add(1) }

    /// Hands the parts to the side file at the end of input.
    func handOver() throws { try part?.finish() }

    /// Adds where this subtask's parts stand to the snapshot.
    func snapshot(into snapshot: inout StateSnapshot) throws {
        try part?.snapshot(into: &snapshot, as: Self.stateName)
    }

    /// Takes over this subtask's share of the parts a checkpoint lists.
    func restore(from state: RestoredState) throws {
        try part?.restore(from: state, as: Self.stateName)
    }
}
