import Flow

/// Merges the local top K of every keyed subtask into the global top K per window.
///
/// Each key lives in exactly one subtask, so the global top K is the top K of the union of the
/// local ones. A window's candidates are complete once the combined watermark (the minimum over
/// the subtasks) reaches its end − 1, since a subtask emits a window before the watermark that
/// fired it; then it emits ranks 1…k, largest first, ties by key.
public final class TopKMergeOperator<Key: Comparable & Sendable, Value: Sendable>: ElementReceiver {
    private let output: Output<RankedResult<Key, Value>>
    private let k: Int
    private let isGreater: @Sendable (Value, Value) -> Bool
    private var candidates: [Int64: TopKSelection<Key, Value>] = [:]

    public init(output: Output<RankedResult<Key, Value>>, k: Int, isGreater: @escaping @Sendable (Value, Value) -> Bool) {
        self.output = output
        self.k = k
        self.isGreater = isGreater
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
