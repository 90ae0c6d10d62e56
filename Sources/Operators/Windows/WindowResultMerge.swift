import Flow

/// Gathers window results from every keyed subtask and emits them in a fixed order — by window
/// end, then start, then key — once the combined watermark shows a window is complete, so the
/// output does not depend on which subtask delivered first.
public final class WindowResultMerge<Key: Comparable & Sendable, Value: Sendable>: ElementReceiver {
    private let output: Output<WindowResult<Key, Value>>
    private var pending: [WindowResult<Key, Value>] = []

    public init(output: Output<WindowResult<Key, Value>>) { self.output = output }

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
