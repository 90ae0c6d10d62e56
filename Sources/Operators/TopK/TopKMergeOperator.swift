import Flow

/// Merges the local top K of every keyed subtask into the global top K per window.
///
/// Each key lives in exactly one subtask, so the global top K is the top K of the union of the
/// local ones. A window's candidates are complete once the combined watermark (the minimum over
/// the subtasks) reaches its end − 1, since a subtask emits a window before the watermark that
/// fired it; then it emits ranks 1…k, largest first, ties by key.
///
/// With an allowed lateness, a window stays here until the combined watermark reaches
/// end − 1 + lateness: a subtask that fires it again sends its new local top K, whose values
/// replace the old ones key by key, and the window is emitted again (before the windows completed
/// by the same watermark). Results are taken only once the combined watermark reaches the one that
/// fired them, so a fast subtask's update never mixes into an earlier emission. Keys keep their
/// last value, which is right when late records only raise values, as counts do.
///
/// Declared state (a split list of one entry, as the operator runs in one subtask): the results
/// not taken yet, the open windows' candidates, and which were emitted or changed since.
public final class TopKMergeOperator<Key: Hashable & Comparable & Sendable & StateCodable, Value: Sendable & StateCodable>: Operator {
    private let k: Int
    private let isGreater: @Sendable (Value, Value) -> Bool
    private let allowedLateness: Int64
    /// Results fired at a watermark the combined watermark has not reached, in arrival order.
    private var arrived: [WindowResult<Key, Value>] = []
    /// Per window end: each key's last value.
    private var candidates: [Int64: [Key: Value]] = [:]
    private var emitted: Set<Int64> = []
    private var updated: Set<Int64> = []

    /// Records, for each window emitted, how long after its end on the wall clock it was.
    private let resultLatency: LatencyRecorder?

    public init(k: Int, isGreater: @escaping @Sendable (Value, Value) -> Bool, allowedLateness: Duration = .zero,
                resultLatency: LatencyRecorder? = nil) {
        self.resultLatency = resultLatency
        self.k = k
        self.isGreater = isGreater
        self.allowedLateness = allowedLateness.milliseconds
    }

    public var declaredState: [StateDeclaration] { [.splitList("windows")] }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(arrived)
        state.write(candidates.count)
        for (end, values) in candidates.sorted(by: { $0.key < $1.key }) {
            state.write(end)
            state.write(emitted.contains(end))
            state.write(updated.contains(end))
            state.write(values.count)
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                state.write(key)
                state.write(value)
            }
        }
        snapshot.add("windows", state)
    }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("windows").first else { return }
        arrived = try reader.readArray(of: WindowResult<Key, Value>.self)
        for _ in 0..<(try reader.readCount()) {
            let end = try reader.readEventTime()
            if try reader.readBool() { emitted.insert(end) }
            if try reader.readBool() { updated.insert(end) }
            var values: [Key: Value] = [:]
            for _ in 0..<(try reader.readCount()) { values[try reader.read(Key.self)] = try reader.read(Value.self) }
            candidates[end] = values
        }
    }

    public func process(_ batch: [WindowResult<Key, Value>], into output: Collector<RankedResult<Key, Value>>) {
        arrived.append(contentsOf: batch)
    }

    /// Takes the results fired at or before `watermark` into the windows' candidates.
    private func take(firedThrough watermark: EventTime) {
        var later: [WindowResult<Key, Value>] = []
        for result in arrived {
            guard result.firedAt <= watermark else {
                later.append(result)
                continue
            }
            let end = result.windowEnd.milliseconds
            candidates[end, default: [:]][result.key] = result.value
            if emitted.contains(end) { updated.insert(end) }
        }
        arrived = later
    }

    public func onWatermark(_ watermark: EventTime, into output: Collector<RankedResult<Key, Value>>) {
        let milliseconds = watermark.milliseconds
        take(firedThrough: watermark)
        emitWindows(endingThrough: milliseconds == .max ? .max : milliseconds + 1, into: output)
        let closedThrough = milliseconds == .max ? Int64.max : milliseconds + 1 - allowedLateness
        for end in candidates.keys where end <= closedThrough && emitted.contains(end) {
            candidates[end] = nil
            emitted.remove(end)
        }
    }

    public func onEndOfInput(into output: Collector<RankedResult<Key, Value>>) {
        take(firedThrough: .max)
        emitWindows(endingThrough: .max, into: output)
    }

    /// Emits the windows changed since they were emitted, then those now complete, each in order.
    private func emitWindows(endingThrough limit: Int64, into output: Collector<RankedResult<Key, Value>>) {
        let ready = updated.sorted() + candidates.keys.filter { $0 <= limit && !emitted.contains($0) }.sorted()
        updated = []
        for end in ready {
            var selection = TopKSelection<Key, Value>(k: k, isGreater: isGreater)
            for (key, value) in candidates[end]! { selection.offer(key: key, value: value) }
            for (index, pair) in selection.sorted.enumerated() {
                output.emit(RankedResult(windowEnd: EventTime(milliseconds: end), rank: index + 1, key: pair.key, value: pair.value))
            }
            emitted.insert(end)
            resultLatency?.record(since: EventTime(milliseconds: end))
        }
    }
}
