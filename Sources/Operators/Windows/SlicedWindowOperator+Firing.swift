import Flow

extension SlicedWindowOperator {
    /// Fires, in order, every window that holds data and ends at or before `reached`.
    func fireWindows(through reached: Int64) {
        while let end = nextWindowWithData(), end <= reached {
            moveTotals(to: end)
            emitWindow(ending: end)
            firedThrough = end
            bookkeeping.recordFired()
        }
    }

    /// The end of the first unfired window that contains a live slice.
    private func nextWindowWithData() -> Int64? {
        let n = spec.slicesPerWindow
        let fired = firedThrough ?? .min
        guard let slice = sliceOrder.first(where: { ($0 + n) * spec.slide > fired }) else { return nil }
        let candidate = (slice + 1) * spec.slide
        return fired == .min ? candidate : max(candidate, fired + spec.slide)
    }

    /// Makes the running totals describe the window ending at `end`, dropping slices that no
    /// later window needs.
    private func moveTotals(to end: Int64) {
        let n = spec.slicesPerWindow
        let newLow = end / spec.slide - n, newHigh = end / spec.slide
        if let current = totalsEnd, aggregation.isInvertible, end - current < spec.size {
            let currentHigh = current / spec.slide
            for slice in sliceOrder where slice < newLow { apply(slice, adding: false) }
            for slice in sliceOrder where slice >= currentHigh && slice < newHigh { apply(slice, adding: true) }
        } else {
            for id in 0..<inWindow.count where inWindow[id] > 0 {
                inWindow[id] = 0
                totals[id] = aggregation.identity
            }
            for slice in sliceOrder where slice >= newLow && slice < newHigh { apply(slice, adding: true) }
        }
        totalsEnd = end
        dropSlices(before: newLow)
    }

    private func apply(_ slice: Int64, adding: Bool) {
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

    private func dropSlices(before low: Int64) {
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
    private func emitWindow(ending end: Int64) {
        let start = EventTime(milliseconds: end - spec.size)
        let windowEnd = EventTime(milliseconds: end)
        switch emission {
        case .allKeys:
            var results: [(Key, Aggregation.Accumulator)] = []
            for id in 0..<inWindow.count where inWindow[id] > 0 { results.append((directory.keys[id]!, totals[id])) }
            results.sort { $0.0 < $1.0 }
            for (key, value) in results { output.emit(WindowResult(windowStart: start, windowEnd: windowEnd, key: key, value: value)) }
        case .top(let k, let isGreater):
            var top = TopKSelection<Key, Aggregation.Accumulator>(k: k, isGreater: isGreater)
            for id in 0..<inWindow.count where inWindow[id] > 0 { top.offer(key: directory.keys[id]!, value: totals[id]) }
            for entry in top.sorted { output.emit(WindowResult(windowStart: start, windowEnd: windowEnd, key: entry.key, value: entry.value)) }
        }
    }
}
