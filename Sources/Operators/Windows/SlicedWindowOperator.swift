import Flow

/// Keyed tumbling and sliding event-time windows, aggregated per slice.
///
/// A record is added to the one slice (slide-long pane) holding its event time, never copied into
/// each of the `size / slide` windows that contain it. Windows fire in order when the watermark
/// reaches `end − 1`: a running total per key describes the last fired window and moves to the
/// next by adding the slices that enter and removing those that leave (or by combining its slices
/// afresh for aggregations that cannot be undone). A slice is dropped once the window moves past it.
///
/// With an allowed lateness `L`, a fired window stays open until the watermark reaches
/// `end − 1 + L`: a record for it arriving meanwhile is added, and the window fires again with
/// its new result when the next watermark comes (an update; for counts, values only grow). A
/// record that arrives after some of its windows closed is late for those windows only: it still
/// counts in the windows still open, and it is counted and sent to side output `lateRecords`. With
/// `L = 0` a window closes as it fires. At the end of input every window holding data fires.
///
/// Output per fired window: every key's result sorted by key, or only the `k` largest
/// (ties by key), which a downstream ``TopKMergeOperator`` merges across subtasks.
///
/// Behind parallel watermark generators (records stamped with ``EventTimed/sequencedWatermark``),
/// lateness is judged by the stamp, and a record late for windows this subtask has not fired yet
/// waits until they have (see `deferred`).
///
/// Declared state: each key's slices and deferred records (keyed, by key group); the watermark
/// and how far windows fired (a union list: every subtask saw the same). Late records go to side
/// output `lateRecords`.
public final class SlicedWindowOperator<Record: Sendable & EventTimed, Key: Hashable & Comparable & Sendable & StableHashable & StateCodable,
                                        Aggregation: WindowAggregation>: Operator
where Aggregation.Input == Record {
    public typealias Result = WindowResult<Key, Aggregation.Accumulator>

    /// What a fired window emits.
    public enum Emission: Sendable {
        case allKeys
        /// The `k` largest by `isGreater`, ties by key ascending.
        case top(k: Int, isGreater: @Sendable (Aggregation.Accumulator, Aggregation.Accumulator) -> Bool)
        /// The `k` largest accumulators of an aggregation whose accumulators are whole numbers
        /// (``WindowAggregation/integerValue(of:)``: counts, sums), ties by key ascending: the same
        /// as `.top(k: k, isGreater: >)`, found with integer comparisons, not a closure call per key.
        case largest(k: Int)
    }

    @usableFromInline let spec: WindowSpec
    @usableFromInline let keyOf: @Sendable (Record) -> Key
    @usableFromInline let aggregation: Aggregation
    @usableFromInline let emission: Emission
    /// The top-k rule of the emission, if it has one.
    @usableFromInline let ranking: (k: Int, isGreater: @Sendable (Aggregation.Accumulator, Aggregation.Accumulator) -> Bool)?
    @usableFromInline var bookkeeping: WindowBookkeeping
    @usableFromInline let describeKey: @Sendable (Key) -> String
    let maxParallelism: Int

    @usableFromInline var directory = KeyDirectory<Key>()
    /// Per key number: how many live slices hold the key.
    @usableFromInline var sliceCount: [Int32] = []
    /// Slices by index, each with its accumulators by key number.
    @usableFromInline var slices: [Int64: [Int32: Aggregation.Accumulator]] = [:]
    /// The indices of `slices`, sorted.
    @usableFromInline var sliceOrder: [Int64] = []
    /// The running totals: the window ending at `totalsEnd`.
    @usableFromInline var totalsEnd: Int64?
    @usableFromInline var totals: [Aggregation.Accumulator] = []
    /// Per key number: how many slices of the totals' window hold the key.
    @usableFromInline var inWindow: [Int32] = []
    /// The end of the last window the watermark reached (whether or not it held data).
    @usableFromInline var firedThrough: Int64?
    /// The end of the last window past its allowed lateness: closed for good.
    @usableFromInline var closedThrough: Int64?
    /// Fired windows that took late records since they last fired: they fire again.
    @usableFromInline var updatedWindows: Set<Int64> = []
    @usableFromInline let allowedLateness: Int64
    /// Late records whose stamp closed windows this subtask has not fired yet (its watermark, the
    /// minimum over parallel generators, lags behind the stamp): each waits, as an accumulator,
    /// until those windows fired without it, then joins its slice for the later windows.
    @usableFromInline var deferred: [DeferredAddition<Key, Aggregation.Accumulator>] = []
    @usableFromInline var watermark = EventTime.min
    @usableFromInline var isEnded = false

    public init(spec: WindowSpec, key: @escaping @Sendable (Record) -> Key, aggregation: Aggregation,
                emission: Emission, allowedLateness: Duration = .zero, lateRecords: SideOutput<LateRecord>? = nil, context: SubtaskContext,
                describeKey: @escaping @Sendable (Key) -> String = { "\($0)" }) throws {
        self.spec = spec
        self.allowedLateness = allowedLateness.milliseconds
        keyOf = key
        self.aggregation = aggregation
        self.emission = emission
        switch emission {
        case .allKeys: ranking = nil
        case .top(let k, let isGreater): ranking = (k, isGreater)
        case .largest(let k):
            precondition(aggregation.integerValue(of: aggregation.identity) != nil, "largest(k:) needs an aggregation of whole numbers, not \(Aggregation.self)")
            ranking = (k, { aggregation.integerValue(of: $0)! > aggregation.integerValue(of: $1)! })
        }
        self.describeKey = describeKey
        maxParallelism = context.maxParallelism
        bookkeeping = WindowBookkeeping(lateRecords: lateRecords, context: context)
    }

    public var declaredState: [StateDeclaration] { [.keyed("windows"), .keyed("deferred"), .unionList("progress")] }

    // The per-record path is inlinable so that Jobs gets a copy specialised for its record and key
    // types: generic code called across modules pays a type-metadata lookup per record.
    @inlinable
    public func process(_ batch: [Record], into output: Collector<Result>) throws {
        for record in batch { try add(record) }
    }

    @inlinable
    public func onWatermark(_ watermark: EventTime, into output: Collector<Result>) throws {
        guard watermark > self.watermark else { return }
        self.watermark = watermark
        fireUpdatedWindows(into: output)
        let reached = (watermark.milliseconds &+ 1).flooredDivision(by: spec.slide) &* spec.slide
        fireWindowsAddingDeferred(through: reached, into: output)
        if reached > firedThrough ?? .min { firedThrough = reached }
        closedThrough = (watermark.milliseconds &+ 1 &- allowedLateness).flooredDivision(by: spec.slide) &* spec.slide
    }

    public func onEndOfInput(into output: Collector<Result>) throws {
        isEnded = true
        fireUpdatedWindows(into: output)
        fireWindowsAddingDeferred(through: .max, into: output)
    }

    @inlinable
    func add(_ record: Record) throws {
        let time = record.eventTime.milliseconds
        let slice = spec.slice(of: time)
        let firstEnd = (slice + 1) * spec.slide
        let lastEnd = (slice + spec.slicesPerWindow) * spec.slide
        var (watermark, closedThrough, firedThrough) = (self.watermark.milliseconds, self.closedThrough, self.firedThrough)
        let stamped = record.sequencedWatermark.milliseconds
        if stamped > watermark {
            // A parallel generator's stamp: the watermark before the record in the input's order.
            watermark = stamped
            closedThrough = max(closedThrough ?? .min, (stamped &+ 1 &- allowedLateness).flooredDivision(by: spec.slide) &* spec.slide)
            firedThrough = max(firedThrough ?? .min, (stamped &+ 1).flooredDivision(by: spec.slide) &* spec.slide)
        }
        if let closed = closedThrough, closed >= firstEnd {
            bookkeeping.recordLate(key: describeKey(keyOf(record)), eventTime: time, watermark: watermark,
                                   missedWindows: (min(closed, lastEnd) - firstEnd) / spec.slide + 1)
            if closed >= lastEnd { return }
            if closed > self.firedThrough ?? .min {
                var accumulator = aggregation.identity
                aggregation.add(record, to: &accumulator)
                deferred.append(DeferredAddition(key: keyOf(record), slice: slice, accumulator: accumulator, after: closed))
                return
            }
        }
        if allowedLateness > 0, let fired = firedThrough, fired >= firstEnd {
            let firstOpen = max(firstEnd, (closedThrough ?? .min) &+ spec.slide)
            for end in stride(from: firstOpen, through: min(fired, lastEnd), by: Int(spec.slide)) { updatedWindows.insert(end) }
        }
        let (id, isNewKey) = directory.id(for: keyOf(record))
        if isNewKey { growArrays(to: directory.capacity) }
        let position = slicePosition(slice)
        let keysBefore = slices.values[position].count
        aggregation.add(record, to: &slices.values[position][id, default: aggregation.identity])
        let isNewInSlice = slices.values[position].count != keysBefore
        if isNewInSlice { sliceCount[Int(id)] += 1 }
        if let end = totalsEnd, slice >= end / spec.slide - spec.slicesPerWindow, slice < end / spec.slide {
            aggregation.add(record, to: &totals[Int(id)])
            if isNewInSlice { inWindow[Int(id)] += 1 }
        }
    }

    /// Where slice `slice` is in `slices`, made if missing.
    @inlinable
    func slicePosition(_ slice: Int64) -> [Int64: [Int32: Aggregation.Accumulator]].Index {
        let position: [Int64: [Int32: Aggregation.Accumulator]].Index
        if let existing = slices.index(forKey: slice) {
            position = existing
        } else {
            // Sized like the newest slice, so that it does not grow (and rehash) step by step.
            let expectedKeys = sliceOrder.last.flatMap { slices[$0]?.count } ?? 0
            insertSliceIndex(slice)
            slices[slice] = Dictionary(minimumCapacity: expectedKeys)
            position = slices.index(forKey: slice)!
        }
        return position
    }

    @inlinable
    func growArrays(to count: Int) {
        while sliceCount.count < count {
            sliceCount.append(0)
            inWindow.append(0)
            totals.append(aggregation.identity)
        }
    }

    @usableFromInline
    func insertSliceIndex(_ slice: Int64) {
        if let last = sliceOrder.last, last > slice {
            let position = sliceOrder.firstIndex { $0 > slice }!
            sliceOrder.insert(slice, at: position)
        } else {
            sliceOrder.append(slice)
        }
    }
}

