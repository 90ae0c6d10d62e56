import Flow

/// Keyed session windows on event time: a key's records closer than `gap` to each other form one
/// session `[first, last + gap)`. A session fires when the watermark reaches its end − 1 (an
/// event-time timer); at the end of input every open session fires. A record whose session would
/// already have fired, and that joins no open session, is late: counted and written to the
/// late-records file.
public final class SessionWindowOperator<Record: Sendable & EventTimed, Key: Hashable & Comparable & Sendable, Aggregation: WindowAggregation>: ElementReceiver
where Aggregation.Input == Record {
    public typealias Result = WindowResult<Key, Aggregation.Accumulator>

    private struct Session {
        var start: Int64
        var end: Int64
        var accumulator: Aggregation.Accumulator
    }

    private let output: Output<Result>
    private let gap: Int64
    private let keyOf: @Sendable (Record) -> Key
    private let aggregation: Aggregation
    private let lateRecords: LateRecordFile
    private let describeKey: @Sendable (Key) -> String
    private let lateCounter: Counter
    private let windowsCounter: Counter
    /// Open sessions per key, sorted by start.
    private var sessions: [Key: [Session]] = [:]
    private var timers = EventTimeTimers<Key>()
    private var watermark = Int64.min

    public init(output: Output<Result>, gap: Duration, key: @escaping @Sendable (Record) -> Key, aggregation: Aggregation,
                lateRecords: LateRecordFile, context: SubtaskContext, describeKey: @escaping @Sendable (Key) -> String = { "\($0)" }) {
        self.output = output
        self.gap = gap.milliseconds
        keyOf = key
        self.aggregation = aggregation
        self.lateRecords = lateRecords
        self.describeKey = describeKey
        lateCounter = context.metrics.counter("late records")
        windowsCounter = context.metrics.counter("windows fired")
    }

    public func receive(_ batch: [Record]) throws {
        for record in batch { add(record) }
    }

    private func add(_ record: Record) {
        let key = keyOf(record)
        let time = record.eventTime.milliseconds
        var merged = Session(start: time, end: time + gap, accumulator: aggregation.identity)
        aggregation.add(record, to: &merged.accumulator)
        var kept: [Session] = []
        for session in sessions[key] ?? [] {
            if session.start < merged.end && merged.start < session.end {
                merged.start = min(merged.start, session.start)
                merged.end = max(merged.end, session.end)
                aggregation.combine(session.accumulator, into: &merged.accumulator)
            } else {
                kept.append(session)
            }
        }
        if merged.end - 1 <= watermark {
            lateCounter.add(1)
            lateRecords.add(key: describeKey(key), eventTime: time, watermark: watermark, missedWindows: 1)
            return
        }
        kept.append(merged)
        kept.sort { $0.start < $1.start }
        sessions[key] = kept
        timers.register(at: merged.end - 1, for: key)
    }

    public func receive(watermark: EventTime) throws {
        guard watermark.milliseconds > self.watermark else { return }
        self.watermark = watermark.milliseconds
        for timer in timers.popDue(atOrBefore: watermark.milliseconds) { fire(key: timer.key, end: timer.time + 1) }
        try output.emit(watermark: watermark)
    }

    public func receiveEndOfInput() throws {
        for timer in timers.popDue(atOrBefore: .max) { fire(key: timer.key, end: timer.time + 1) }
        try output.emitEndOfInput()
    }

    /// Fires `key`'s session ending at `end`, if it is still open with that end (timers of
    /// sessions that merged into longer ones are stale).
    private func fire(key: Key, end: Int64) {
        guard var open = sessions[key], let index = open.firstIndex(where: { $0.end == end }) else { return }
        let session = open.remove(at: index)
        sessions[key] = open.isEmpty ? nil : open
        output.emit(WindowResult(windowStart: EventTime(milliseconds: session.start), windowEnd: EventTime(milliseconds: end),
                                 key: key, value: session.accumulator))
        windowsCounter.add(1)
    }
}
