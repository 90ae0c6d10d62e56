import Flow

/// Keyed session windows on event time: a key's records closer than `gap` to each other form one
/// session `[first, last + gap)`. A session fires when the watermark reaches its end − 1 (an
/// event-time timer); at the end of input every open session fires. A record whose session would
/// already have fired, and that joins no open session, is late: counted and written to the
/// late-records file.
///
/// Checkpointed state: each key's open sessions by key group (timers are rebuilt from them); the
/// watermark, the late records and the counts per subtask.
public final class SessionWindowOperator<Record: Sendable & EventTimed, Key: Hashable & Comparable & Sendable & StableHashable & StateCodable,
                                         Aggregation: WindowAggregation>: ElementReceiver
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
    private let describeKey: @Sendable (Key) -> String
    private let context: SubtaskContext
    private var bookkeeping: WindowBookkeeping
    /// Open sessions per key, sorted by start.
    private var sessions: [Key: [Session]] = [:]
    private var timers = EventTimeTimers<Key>()
    private var watermark = Int64.min

    public init(output: Output<Result>, gap: Duration, key: @escaping @Sendable (Record) -> Key, aggregation: Aggregation,
                lateRecords: LateRecordFile, context: SubtaskContext, describeKey: @escaping @Sendable (Key) -> String = { "\($0)" }) throws {
        self.output = output
        self.gap = gap.milliseconds
        keyOf = key
        self.aggregation = aggregation
        self.describeKey = describeKey
        self.context = context
        bookkeeping = try WindowBookkeeping(file: lateRecords, context: context)
        if let restored = context.restored { try restore(restored) }
    }

    public func receive(_ batch: [Record]) throws {
        for record in batch { try add(record) }
    }

    private func add(_ record: Record) throws {
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
            try bookkeeping.recordLate(key: describeKey(key), eventTime: time, watermark: watermark, missedWindows: 1)
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
        try bookkeeping.handOver()
        try output.emitEndOfInput()
    }

    public func receive(barrier: CheckpointBarrier) throws {
        var shared = StateWriter()
        shared.write(watermark)
        try bookkeeping.write(to: &shared)
        var keysByGroup: [Int: [Key]] = [:]
        for key in sessions.keys { keysByGroup[KeyGroup(of: key, maxParallelism: context.maxParallelism).index, default: []].append(key) }
        var keyGroups: [Int: StateWriter] = [:]
        for (group, keys) in keysByGroup {
            var writer = StateWriter()
            writer.write(keys.count)
            for key in keys.sorted() {
                writer.write(key)
                let open = sessions[key]!
                writer.write(open.count)
                for session in open {
                    writer.write(session.start)
                    writer.write(session.end)
                    writer.write(session.accumulator)
                }
            }
            keyGroups[group] = writer
        }
        context.acknowledge(barrier, shared: shared, keyGroups: keyGroups)
        try output.emit(barrier: barrier)
    }

    /// Starts from a checkpoint: the open sessions of the key groups this subtask owns, with a
    /// timer each; the watermark from any subtask; counts and late records all to subtask 0.
    private func restore(_ restored: OperatorRestore) throws {
        for (index, bytes) in restored.shared.enumerated() {
            var reader = StateReader(bytes)
            let watermark = try reader.readEventTime()
            if index == 0 { self.watermark = watermark }
            guard context.subtaskIndex == 0 else { break }
            try bookkeeping.add(from: &reader, checkpoint: restored.checkpointID)
        }
        for (_, bytes) in restored.keyGroups {
            var reader = StateReader(bytes)
            for _ in 0..<(try reader.readCount()) {
                let key = try reader.read(Key.self)
                var open: [Session] = []
                for _ in 0..<(try reader.readCount()) {
                    let session = Session(start: try reader.readInt64(), end: try reader.readInt64(),
                                          accumulator: try reader.read(Aggregation.Accumulator.self))
                    guard EventTime.plausibleMilliseconds.contains(session.start), EventTime.plausibleMilliseconds.contains(session.end),
                          session.start < session.end, aggregation.isPlausible(session.accumulator) else {
                        throw StateReader.Damaged(description: "a session of a key holds impossible times or an impossible total")
                    }
                    open.append(session)
                    timers.register(at: session.end - 1, for: key)
                }
                sessions[key] = open
            }
        }
    }

    /// Fires `key`'s session ending at `end`, if it is still open with that end (timers of
    /// sessions that merged into longer ones are stale).
    private func fire(key: Key, end: Int64) {
        guard var open = sessions[key], let index = open.firstIndex(where: { $0.end == end }) else { return }
        let session = open.remove(at: index)
        sessions[key] = open.isEmpty ? nil : open
        output.emit(WindowResult(windowStart: EventTime(milliseconds: session.start), windowEnd: EventTime(milliseconds: end),
                                 key: key, value: session.accumulator))
        bookkeeping.recordFired()
    }
}
