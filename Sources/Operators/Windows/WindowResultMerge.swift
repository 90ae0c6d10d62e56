import Flow

/// Gathers window results from every keyed subtask and emits them in a fixed order — by window
/// end, then start, then key — once the combined watermark shows a window is complete, so the
/// output does not depend on which subtask delivered first. A window fired again within its
/// allowed lateness sends its keys again: they are emitted at the next watermark, the last value
/// of each key only.
///
/// Declared state (a split list of one entry, as the operator runs in one subtask): the results
/// waiting for their window to complete.
public final class WindowResultMerge<Key: Comparable & Sendable & StateCodable, Value: Sendable & StateCodable>: Operator {
    public typealias Result = WindowResult<Key, Value>
    private var pending: [Result] = []

    public init() {}

    public var declaredState: [StateDeclaration] { [.splitList("pending")] }

    public func restoreState(from state: RestoredState) throws {
        for var reader in state.list("pending") { pending += try reader.readArray(of: Result.self) }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(pending)
        snapshot.add("pending", state)
    }

    public func process(_ batch: [Result], into output: Collector<Result>) { pending.append(contentsOf: batch) }

    public func onWatermark(_ watermark: EventTime, into output: Collector<Result>) {
        release(into: output) { $0.windowEnd.milliseconds - 1 <= watermark.milliseconds && $0.firedAt <= watermark }
    }

    public func onEndOfInput(into output: Collector<Result>) {
        release(into: output) { _ in true }
    }

    private func release(into output: Collector<Result>, where isComplete: (Result) -> Bool) {
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
