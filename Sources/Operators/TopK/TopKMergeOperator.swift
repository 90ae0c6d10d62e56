import Flow

/// Merges the local top K of every keyed subtask into the global top K per window.
///
/// Each key lives in exactly one subtask, so the global top K is the top K of the union of the
/// local ones. A window's candidates are complete once the combined watermark (the minimum over
/// the subtasks) reaches its end − 1, since a subtask emits a window before the watermark that
/// fired it; then it emits ranks 1…k, largest first, ties by key.
///
/// Checkpointed state: the candidates of the windows not yet complete.
public final class TopKMergeOperator<Key: Comparable & Sendable & StateCodable, Value: Sendable & StateCodable>: ElementReceiver {
    private let output: Output<RankedResult<Key, Value>>
    private let k: Int
    private let isGreater: @Sendable (Value, Value) -> Bool
    private let context: SubtaskContext
    private var candidates: [Int64: TopKSelection<Key, Value>] = [:]

    public init(output: Output<RankedResult<Key, Value>>, k: Int, isGreater: @escaping @Sendable (Value, Value) -> Bool,
                context: SubtaskContext) throws {
        self.output = output
        self.k = k
        self.isGreater = isGreater
        self.context = context
        if let state = context.restored?.firstShared { try restore(state) }
    }

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(candidates.count)
        for (end, selection) in candidates.sorted(by: { $0.key < $1.key }) {
            state.write(end)
            state.write(selection.sorted.count)
            for entry in selection.sorted {
                state.write(entry.key)
                state.write(entry.value)
            }
        }
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    private func restore(_ state: [UInt8]) throws {
        var reader = StateReader(state)
        for _ in 0..<(try reader.readCount()) {
            let end = try reader.readInt64()
            var selection = TopKSelection<Key, Value>(k: k, isGreater: isGreater)
            for _ in 0..<(try reader.readCount()) {
                selection.offer(key: try reader.read(Key.self), value: try reader.read(Value.self))
            }
            candidates[end] = selection
        }
    }

    public func receive(_ batch: [WindowResult<Key, Value>]) throws {
        for result in batch {
            candidates[result.windowEnd.milliseconds, default: TopKSelection(k: k, isGreater: isGreater)]
                .offer(key: result.key, value: result.value)
        }
    }

    public func receive(watermark: EventTime) throws {
        emitWindows(endingThrough: watermark.milliseconds == .max ? .max : watermark.milliseconds + 1)
        try output.emit(watermark: watermark)
    }

    public func receiveEndOfInput() throws {
        emitWindows(endingThrough: .max)
        try output.emitEndOfInput()
    }

    private func emitWindows(endingThrough limit: Int64) {
        let ready = candidates.keys.filter { $0 <= limit }.sorted()
        for end in ready {
            let selection = candidates.removeValue(forKey: end)!
            for (index, pair) in selection.sorted.enumerated() {
                output.emit(RankedResult(windowEnd: EventTime(milliseconds: end), rank: index + 1, key: pair.key, value: pair.value))
            }
        }
    }
}
