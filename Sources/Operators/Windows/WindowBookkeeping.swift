import Flow

/// What a window operator counts besides its windows (late records, fired windows: runtime
/// counters), and where its late records go (a side output).
@usableFromInline
struct WindowBookkeeping {
    private let lateRecords: Collector<LateRecord>?
    private let late: Counter
    private let fired: Counter
    private let updated: Counter

    init(lateRecords: SideOutput<LateRecord>?, context: SubtaskContext) {
        self.lateRecords = lateRecords.map { context.sideOutput($0) }
        late = context.metrics.counter("late records")
        fired = context.metrics.counter("windows fired")
        updated = context.metrics.counter("windows updated")
    }

    /// Counts a late record and emits it to the side output (when there is one).
    @usableFromInline
    func recordLate(key: @autoclosure () -> String, eventTime: Int64, watermark: Int64, missedWindows: Int64) {
        late.add(1)
        lateRecords?.emit(LateRecord(key: key(), eventTime: eventTime, watermark: watermark, missedWindows: missedWindows))
    }

    @usableFromInline
    func recordFired() { fired.add(1) }

    /// Counts a window fired again with late records.
    @usableFromInline
    func recordUpdated() { updated.add(1) }
}
