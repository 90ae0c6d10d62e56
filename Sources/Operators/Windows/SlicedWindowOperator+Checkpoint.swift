import Flow

extension SlicedWindowOperator {
    /// Reports the state: per key group, each key with its slices' accumulators (the running
    /// totals are not kept; they are rebuilt from the slices after a restore).
    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var progress = StateWriter()
        progress.write(watermark.milliseconds)
        progress.write(firedThrough)
        progress.write(closedThrough)
        progress.write(updatedWindows.sorted())
        snapshot.add("progress", progress)

        var slicesByKey: [Int32: [(slice: Int64, accumulator: Aggregation.Accumulator)]] = [:]
        for slice in sliceOrder {
            for (id, accumulator) in slices[slice]! { slicesByKey[id, default: []].append((slice, accumulator)) }
        }
        var keysByGroup: [Int: [(key: Key, slices: [(slice: Int64, accumulator: Aggregation.Accumulator)])]] = [:]
        for (id, keySlices) in slicesByKey {
            let key = directory.keys[Int(id)]!
            keysByGroup[KeyGroup(of: key, maxParallelism: maxParallelism).index, default: []].append((key, keySlices))
        }
        for (group, keys) in keysByGroup {
            var writer = StateWriter()
            writer.write(keys.count)
            for (key, keySlices) in keys.sorted(by: { $0.key < $1.key }) {
                writer.write(key)
                writer.write(keySlices.count)
                for (slice, accumulator) in keySlices {
                    writer.write(slice)
                    writer.write(accumulator)
                }
            }
            snapshot.add("windows", keyGroup: group, writer)
        }
        var deferredByGroup: [Int: [DeferredAddition<Key, Aggregation.Accumulator>]] = [:]
        for addition in deferred {
            deferredByGroup[KeyGroup(of: addition.key, maxParallelism: maxParallelism).index, default: []].append(addition)
        }
        for (group, additions) in deferredByGroup {
            var writer = StateWriter()
            writer.write(additions.count)
            for addition in additions {
                writer.write(addition.key)
                writer.write(addition.slice)
                writer.write(addition.accumulator)
                writer.write(addition.after)
            }
            snapshot.add("deferred", keyGroup: group, writer)
        }
    }

    /// Starts from a checkpoint: the key groups this subtask owns now; the watermark from any
    /// subtask (they all saw the same); the windows to fire again from all (a window fired again
    /// where nothing changed repeats its result); this subtask's share of the late-record parts.
    public func restoreState(from restored: RestoredState) throws {
        let plausibleSlices = spec.slice(of: EventTime.plausibleMilliseconds.lowerBound)...spec.slice(of: EventTime.plausibleMilliseconds.upperBound)
        for (index, var reader) in restored.list("progress").enumerated() {
            let watermark = try reader.readEventTime()
            let firedThrough = try reader.read(Int64?.self).map(StateReader.checkedEventTime)
            let closedThrough = try reader.read(Int64?.self).map(StateReader.checkedEventTime)
            let updated = try reader.readArray(of: Int64.self)
            guard updated.allSatisfy({ EventTime.plausibleMilliseconds.contains($0) }), updated.count <= spec.slicesPerWindow else {
                throw StateReader.Damaged(description: "the windows to fire again are impossible")
            }
            updatedWindows.formUnion(updated)
            if index == 0 {
                self.watermark = EventTime(milliseconds: watermark)
                self.firedThrough = firedThrough
                self.closedThrough = closedThrough
            }
        }
        for (_, var reader) in restored.keyed("windows") {
            for _ in 0..<(try reader.readCount()) {
                let (id, isNew) = directory.id(for: try reader.read(Key.self))
                if isNew { growArrays(to: directory.capacity) }
                for _ in 0..<(try reader.readCount()) {
                    let slice = try reader.readInt64()
                    let accumulator = try reader.read(Aggregation.Accumulator.self)
                    guard plausibleSlices.contains(slice), aggregation.isPlausible(accumulator) else {
                        throw StateReader.Damaged(description: "slice \(slice) of a key holds an impossible time or total")
                    }
                    if slices[slice] == nil { insertSliceIndex(slice) }
                    slices[slice, default: [:]][id] = accumulator
                    sliceCount[Int(id)] += 1
                }
            }
        }
        for (_, var reader) in restored.keyed("deferred") {
            for _ in 0..<(try reader.readCount()) {
                let key = try reader.read(Key.self), slice = try reader.readInt64()
                let accumulator = try reader.read(Aggregation.Accumulator.self), after = try reader.readEventTime()
                guard plausibleSlices.contains(slice), aggregation.isPlausible(accumulator) else {
                    throw StateReader.Damaged(description: "a deferred late record holds an impossible time or total")
                }
                deferred.append(DeferredAddition(key: key, slice: slice, accumulator: accumulator, after: after))
            }
        }
        totalsEnd = nil
    }
}
