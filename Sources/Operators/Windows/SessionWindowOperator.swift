import Flow

/// Keyed session windows on event time: a key's records closer than `gap` to each other form one
/// session `[first, last + gap)`. A session fires when the watermark reaches its end − 1 (an
/// event-time timer); at the end of input every open session fires. A record whose session would
/// already have fired, and that joins no open session, is late: counted and sent to side output
/// `lateRecords`.
///
/// Declared state: each key's open sessions (keyed, by key group; timers are rebuilt from them);
/// the watermark (a union list). Late records go to side output `lateRecords`.
public final class SessionWindowOperator<Record: Sendable & EventTimed, Key: Hashable & Comparable & Sendable & StableHashable & StateCodable,
                                         Aggregation: WindowAggregation>: Operator
where Aggregation.Input == Record {
    public typealias Result = WindowResult<Key, Aggregation.Accumulator>

    private struct Session {
        var start: Int64
        var end: Int64
        var accumulator: Aggregation.Accumulator
    }

    private let gap: Int64
    private let keyOf: @Sendable (Record) -> Key
    private let aggregation: Aggregation
    private let describeKey: @Sendable (Key) -> String
    private let maxParallelism: Int
    private let bookkeeping: WindowBookkeeping
    /// Open sessions per key, sorted by start.
    private var sessions: [Key: [Session]] = [:]
    private var timers = EventTimeTimers<Key>()
    private var watermark = Int64.min

    public init(gap: Duration, key: @escaping @Sendable (Record) -> Key, aggregation: Aggregation,
                lateRecords: SideOutput<LateRecord>? = nil, context: SubtaskContext, describeKey: @escaping @Sendable (Key) -> String = { "\($0)" }) throws {
        self.gap = gap.milliseconds
        keyOf = key
        self.aggregation = aggregation
        self.describeKey = describeKey
        maxParallelism = context.maxParallelism
        bookkeeping = WindowBookkeeping(lateRecords: lateRecords, context: context)
    }

    public var declaredState: [StateDeclaration] { [.keyed("sessions"), .unionList("progress")] }

    public func process(_ batch: [Record], into output: Collector<Result>) throws {
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
            bookkeeping.recordLate(key: describeKey(key), eventTime: time, watermark: watermark, missedWindows: 1)
            return
        }
        kept.append(merged)
        kept.sort { $0.start < $1.start }
        sessions[key] = kept
        timers.register(at: merged.end - 1, for: key)
    }

    public func onWatermark(_ watermark: EventTime, into output: Collector<Result>) throws {
        guard watermark.milliseconds > self.watermark else { return }
        self.watermark = watermark.milliseconds
        for timer in timers.popDue(atOrBefore: watermark.milliseconds) { fire(key: timer.key, end: timer.time + 1, into: output) }
    }

    public func onEndOfInput(into output: Collector<Result>) throws {
        for timer in timers.popDue(atOrBefore: .max) { fire(key: timer.key, end: timer.time + 1, into: output) }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var progress = StateWriter()
        progress.write(watermark)
        snapshot.add("progress", progress)
        var keysByGroup: [Int: [Key]] = [:]
        for key in sessions.keys { keysByGroup[KeyGroup(of: key, maxParallelism: maxParallelism).index, default: []].append(key) }
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
            snapshot.add("sessions", keyGroup: group, writer)
        }
    }

    /// Starts from a checkpoint: the open sessions of the key groups this subtask owns, with a
    /// timer each; the watermark from any subtask; this subtask's share of the late-record parts.
    public func restoreState(from restored: RestoredState) throws {
        if var reader = restored.list("progress").first { watermark = try reader.readEventTime() }
        for (_, var reader) in restored.keyed("sessions") {
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
    private func fire(key: Key, end: Int64, into output: Collector<Result>) {
        guard var open = sessions[key], let index = open.firstIndex(where: { $0.end == end }) else { return }
        let session = open.remove(at: index)
        sessions[key] = open.isEmpty ? nil : open
        output.emit(WindowResult(windowStart: EventTime(milliseconds: session.start), windowEnd: EventTime(milliseconds: end),
                                 key: key, value: session.accumulator))
        bookkeeping.recordFired()
    }
}
