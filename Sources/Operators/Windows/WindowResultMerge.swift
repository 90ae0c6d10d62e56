import Flow

/// Gathers window results from every keyed subtask and emits them in a fixed order — by window
/// end, then start, then key — once the combined watermark shows a window is complete, so the
/// output does not depend on which subtask delivered first.
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
            for _ in 0..<(try reader.readCount()) {
                pending.append(WindowResult(windowStart: EventTime(milliseconds: try reader.readInt64()),
                                            windowEnd: EventTime(milliseconds: try reader.readInt64()),
                                            key: try reader.read(Key.self), value: try reader.read(Value.self)))
            }
        }
    }

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(pending.count)
        for result in pending {
            state.write(result.windowStart.milliseconds)
            state.write(result.windowEnd.milliseconds)
            state.write(result.key)
            state.write(result.value)
        }
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    public func receive(_ batch: [WindowResult<Key, Value>]) throws { pending.append(contentsOf: batch) }

    public func receive(watermark: EventTime) throws {
        release { $0.windowEnd.milliseconds - 1 <= watermark.milliseconds }
        try output.emit(watermark: watermark)
    }

    public func receiveEndOfInput() throws {
        release { _ in true }
        try output.emitEndOfInput()
    }

    private func release(where isComplete: (WindowResult<Key, Value>) -> Bool) {
        var ready = pending.filter(isComplete)
        guard !ready.isEmpty else { return }
        pending.removeAll(where: isComplete)
        ready.sort { a, b in
            if a.windowEnd != b.windowEnd { return a.windowEnd < b.windowEnd }
            if a.windowStart != b.windowStart { return a.windowStart < b.windowStart }
            return a.key < b.key
        }
        output.emit(contentsOf: ready)
    }
}
