import Flow

extension SlicedWindowOperator {
    /// Fires, in order, every window that holds data and ends at or before `reached`.
    @inlinable
    func fireWindows(through reached: Int64, into output: Collector<Result>) {
        while let end = nextWindowWithData(), end <= reached {
            moveTotals(to: end)
            emitWindow(ending: end, into: output)
            firedThrough = end
            bookkeeping.recordFired()
        }
    }

    /// Fires every window that holds data and ends at or before `reached`, adding each deferred
    /// record once the windows it was late for have fired (and before any later one fires).
    @inlinable
    func fireWindowsAddingDeferred(through reached: Int64, into output: Collector<Result>) {
        while let next = deferred.min(by: { $0.after < $1.after }), next.after <= reached {
            fireWindows(through: next.after, into: output)
            if next.after > firedThrough ?? .min { firedThrough = next.after }
            deferred.removeAll { addition in
                guard addition.after <= next.after else { return false }
                addDeferred(addition)
                return true
            }
        }
        fireWindows(through: reached, into: output)
    }

    /// Adds a deferred record to its slice (and to the running totals when they cover it).
    @usableFromInline
    func addDeferred(_ addition: DeferredAddition<Key, Aggregation.Accumulator>) {
        let (id, isNewKey) = directory.id(for: addition.key)
        if isNewKey { growArrays(to: directory.capacity) }
        let position = slicePosition(addition.slice)
        let keysBefore = slices.values[position].count
        aggregation.combine(addition.accumulator, into: &slices.values[position][id, default: aggregation.identity])
        let isNewInSlice = slices.values[position].count != keysBefore
        if isNewInSlice { sliceCount[Int(id)] += 1 }
        if let end = totalsEnd, addition.slice >= end / spec.slide - spec.slicesPerWindow, addition.slice < end / spec.slide {
            aggregation.combine(addition.accumulator, into: &totals[Int(id)])
            if isNewInSlice { inWindow[Int(id)] += 1 }
        }
    }

    /// Fires again, in order, the fired windows that took late records within the allowed
    /// lateness, each from its slices.
    @inlinable
    func fireUpdatedWindows(into output: Collector<Result>) {
        guard !updatedWindows.isEmpty else { return }
        for end in updatedWindows.sorted() {
            var results: [Int32: Aggregation.Accumulator] = [:]
            for slice in sliceOrder where slice >= end / spec.slide - spec.slicesPerWindow && slice < end / spec.slide {
                for (id, accumulator) in slices[slice]! { aggregation.combine(accumulator, into: &results[id, default: aggregation.identity]) }
            }
            emit(results.map { (directory.keys[Int($0.key)]!, $0.value) }, ending: end, isUpdate: true, into: output)
            bookkeeping.recordUpdated()
        }
        updatedWindows = []
    }

    /// The end of the first unfired window that contains a live slice.
    @inlinable
    func nextWindowWithData() -> Int64? {
        let n = spec.slicesPerWindow
        let fired = firedThrough ?? .min
        guard let slice = sliceOrder.first(where: { ($0 + n) * spec.slide > fired }) else { return nil }
        let candidate = (slice + 1) * spec.slide
        return fired == .min ? candidate : max(candidate, fired + spec.slide)
    }

    /// Makes the running totals describe the window ending at `end`, dropping slices that no
    /// later window needs.
    @inlinable
    func moveTotals(to end: Int64) {
        let n = spec.slicesPerWindow
        let newLow = end / spec.slide - n, newHigh = end / spec.slide
        if let current = totalsEnd, aggregation.isInvertible, end - current < spec.size {
            let currentLow = current / spec.slide - n, currentHigh = current / spec.slide
            for slice in sliceOrder where slice >= currentLow && slice < newLow { apply(slice, adding: false) }
            for slice in sliceOrder where slice >= currentHigh && slice < newHigh { apply(slice, adding: true) }
        } else {
            for id in 0..<inWindow.count where inWindow[id] > 0 {
                inWindow[id] = 0
                totals[id] = aggregation.identity
            }
            for slice in sliceOrder where slice >= newLow && slice < newHigh { apply(slice, adding: true) }
        }
        totalsEnd = end
        // Windows still open for late records keep their slices.
        let openLow = closedThrough.map { $0 / spec.slide + 1 - n } ?? .min
        dropSlices(before: min(newLow, openLow))
    }

    @inlinable
    func apply(_ slice: Int64, adding: Bool) {
        for (id, accumulator) in slices[slice]! {
            let index = Int(id)
            if adding {
                aggregation.combine(accumulator, into: &totals[index])
                inWindow[index] += 1
            } else {
                aggregation.remove(accumulator, from: &totals[index])
                inWindow[index] -= 1
                if inWindow[index] == 0 { totals[index] = aggregation.identity }
            }
        }
    }

    @inlinable
    func dropSlices(before low: Int64) {
        var dropped = 0
        for slice in sliceOrder {
            guard slice < low else { break }
            for id in slices.removeValue(forKey: slice)!.keys {
                sliceCount[Int(id)] -= 1
                if sliceCount[Int(id)] == 0 { directory.release(id) }
            }
            dropped += 1
        }
        sliceOrder.removeFirst(dropped)
    }

    /// Emits the results of the window the totals describe.
    @inlinable
    func emitWindow(ending end: Int64, into output: Collector<Result>) {
        if case .largest(let k) = emission {
            emit(largestCounts(k: k).lazy.map { (self.directory.keys[$0]!, self.totals[$0]) }, ending: end, into: output)
            return
        }
        if case .top(let k, let isGreater) = emission {
            // Keys are fetched only for values that could make the top k.
            var top = TopKSelection<Key, Aggregation.Accumulator>(k: k, isGreater: isGreater)
            for id in 0..<inWindow.count where inWindow[id] > 0 && top.couldTake(totals[id]) {
                top.offer(key: directory.keys[id]!, value: totals[id])
            }
            emit(top.sorted.lazy.map { ($0.key, $0.value) }, ending: end, into: output)
            return
        }
        emit((0..<inWindow.count).lazy.filter { self.inWindow[$0] > 0 }.map { (self.directory.keys[$0]!, self.totals[$0]) }, ending: end, into: output)
    }

    /// The key numbers of the `k` largest totals in the window, largest first, ties by key: one
    /// integer comparison per key, and keys fetched only to break a tie at the last place.
    @inlinable
    func largestCounts(k: Int) -> [Int] {
        guard k > 0 else { return [] }
        var best: [(count: Int64, id: Int)] = []
        best.reserveCapacity(k + 1)
        func ranksBefore(_ a: (count: Int64, id: Int), _ b: (count: Int64, id: Int)) -> Bool {
            a.count != b.count ? a.count > b.count : directory.keys[a.id]! < directory.keys[b.id]!
        }
        for id in 0..<inWindow.count where inWindow[id] > 0 {
            let candidate = (count: aggregation.integerValue(of: totals[id])!, id: id)  // checked in init
            if best.count == k && (candidate.count < best[k - 1].count || !ranksBefore(candidate, best[k - 1])) { continue }
            var index = best.count
            while index > 0 && ranksBefore(candidate, best[index - 1]) { index -= 1 }
            best.insert(candidate, at: index)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.id)
    }

    /// Emits a window's results: every key's, sorted by key, or the top k.
    ///
    /// A first firing says it fired at `end − 1`, the watermark that fires it everywhere, also at
    /// the end of input: subtasks behind parallel watermark generators reach it by different
    /// jumps, or only at their end. An update says the watermark that fired it (`.max` at the end).
    @inlinable
    func emit(_ results: some Sequence<(Key, Aggregation.Accumulator)>, ending end: Int64, isUpdate: Bool = false, into output: Collector<Result>) {
        let start = EventTime(milliseconds: end - spec.size)
        let windowEnd = EventTime(milliseconds: end)
        let firedAt = !isUpdate ? EventTime(milliseconds: end - 1) : isEnded ? EventTime.max : watermark
        switch emission {
        case .allKeys:
            for (key, value) in results.sorted(by: { $0.0 < $1.0 }) {
                output.emit(WindowResult(windowStart: start, windowEnd: windowEnd, key: key, value: value, firedAt: firedAt))
            }
        case .top, .largest:
            let (k, isGreater) = ranking!
            var top = TopKSelection<Key, Aggregation.Accumulator>(k: k, isGreater: isGreater)
            for (key, value) in results { top.offer(key: key, value: value) }
            for entry in top.sorted {
                output.emit(WindowResult(windowStart: start, windowEnd: windowEnd, key: entry.key, value: entry.value, firedAt: firedAt))
            }
        }
    }
}

/// A late record's share of its slice, held until the windows it was late for have fired.
public struct DeferredAddition<Key: Sendable, Accumulator: Sendable>: Sendable {
    public var key: Key
    public var slice: Int64
    public var accumulator: Accumulator
    /// The end of the last window the record was late for.
    public var after: Int64

    @inlinable
    public init(key: Key, slice: Int64, accumulator: Accumulator, after: Int64) {
        self.key = key
        self.slice = slice
        self.accumulator = accumulator
        self.after = after
    }
}
