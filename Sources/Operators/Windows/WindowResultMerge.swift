import Flow

/// Gathers window results from every keyed subtask and emits them in a fixed order — by window
/// end, then start, then key — once the combined watermark shows a window is complete, so the
/// output does not depend on which subtask delivered first. A window fired again within its
/// allowed lateness sends its keys again: they are emitted at the next watermark, the last value
/// of each key only.
///
/// Checkpointed state: the results waiting for their window to complete.
public final class WindowResultMerge<Key: Comparable & Sendable & StateCodable, Value: Sendable & StateCodable>: ElementReceiver {
    private let output: Output<WindowResult<Key, Value>>
    private let context: SubtaskContext
    private var pending: [WindowResult<Key, Value>] = []

    public init(output: Output<WindowResult<Key, Value>>, context: SubtaskContext) throws {
        self.output = output
        self.context = context
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            pending = try reader.readArray(of: WindowResult<Key, Value>.self)
        }
    }

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(pending)
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    public func receive(_ batch: [WindowResult<Key, Value>]) throws { pending.append(contentsOf: batch) }

    public func receive(watermark: EventTime) throws {
        release { $0.windowEnd.milliseconds - 1 <= watermark.milliseconds && $0.firedAt <= watermark }
        try output.emit(watermark: watermark)
    }

    public func receiveEndOfInput() throws {
        release { _ in true }
        try output.emitEndOfInput()
    }

    private func release(where isComplete: (WindowResult<Key, Value>) -> Bool) {
        var ready = Array(pending.enumerated().filter { isComplete($0.element) })
        guard !ready.isEmpty else { return }
        pending.removeAll(where: isComplete)
        ready.sort { a, b in
            if a.element.windowEnd != b.element.windowEnd { return a.element.windowEnd < b.element.windowEnd }
            if a.element.windowStart != b.element.windowStart { return a.element.windowStart < b.element.windowStart }
            if a.element.key != b.element.key { return a.element.key < b.element.key }
            return a.offset < b.offset
        }
        // Of a key sent twice for the same window (fired again), the later value.
        let latest = ready.indices.filter { index in
            index + 1 == ready.count || ready[index + 1].element.windowEnd != ready[index].element.windowEnd
                || ready[index + 1].element.windowStart != ready[index].element.windowStart || ready[index + 1].element.key != ready[index].element.key
        }
        output.emit(contentsOf: latest.map { ready[$0].element })
    }
}
