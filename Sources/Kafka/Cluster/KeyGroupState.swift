import Flow
import Operators

/// Everything one key group holds: its hashtags counted per slice (slide-long pane) of event
/// time, each source partition's watermark and the last source offset taken from it, and the
/// next offset of its exchange partition.
///
/// The state is a function of the exchange partition's records up to `nextOffset` alone, so any
/// worker that replays the same records from the same snapshot holds the same state: that is what
/// lets a worker take a key group over from a snapshot another one wrote.
package struct KeyGroupState: Equatable {
    package let keyGroup: Int
    /// The next offset of the key group's exchange partition.
    package var nextOffset: Int64 = 0
    /// Source partitions the job reads, once a watermark said so.
    var sourcePartitions = 0
    /// Per source partition: the last source offset whose hashtags were counted. A worker that
    /// reads a source partition again after another one died sends some tweets twice; they come
    /// in the same order, so anything at or below this offset is a duplicate.
    var lastSourceOffset: [Int: Int64] = [:]
    /// Per source partition: its watermark and whether it is idle.
    var sourceWatermarks: [Int: SourceWatermark] = [:]
    /// Per slice: each tag's count.
    var slices: [Int64: [KeyString: Int64]] = [:]
    /// Every window ending at or before this has been fired.
    var firedThrough = Int64.min
    /// Records that arrived after all their windows had fired.
    package var lateRecords = 0

    struct SourceWatermark: Equatable {
        var watermark: Int64
        var idle: Bool
    }

    package init(keyGroup: Int) { self.keyGroup = keyGroup }

    /// Takes the record at `offset` of the exchange partition.
    package mutating func take(_ record: ClusterRecord, at offset: Int64, window: WindowSpec) {
        nextOffset = offset + 1
        switch record {
        case .tweets(let partition, let tweets):
            for tweet in tweets {
                if let last = lastSourceOffset[partition], tweet.offset <= last { continue }
                lastSourceOffset[partition] = tweet.offset
                let slice = window.slice(of: tweet.eventTime)
                guard Self.end(ofSlice: slice, step: window.slicesPerWindow, window) ?? .max > firedThrough else {
                    lateRecords &+= 1
                    continue
                }
                for tag in tweet.tags { slices[slice, default: [:]][KeyString(tag), default: 0] &+= 1 }
            }
        case .watermark(let partition, let partitions, let watermark, let idle):
            sourcePartitions = max(sourcePartitions, partitions)
            let known = sourceWatermarks[partition]?.watermark ?? .min
            sourceWatermarks[partition] = SourceWatermark(watermark: max(known, watermark), idle: idle && watermark != .max)
        case .candidates, .progress, .finished:
            break
        }
    }

    /// The key group's watermark: the minimum over the source partitions that are not idle;
    /// nil until every partition has sent one.
    package var watermark: Int64? {
        guard sourcePartitions > 0, sourceWatermarks.count >= sourcePartitions else { return nil }
        let active = sourceWatermarks.values.filter { !$0.idle }
        guard let minimum = active.map(\.watermark).min() else { return nil }
        return minimum
    }

    /// Fires the windows the watermark completed (those ending at or before it + 1), in order:
    /// each window's `k` largest counts, ties by the smaller tag. Slices no open window needs
    /// any more are dropped.
    package mutating func fireWindows(window: WindowSpec, k: Int) -> [(windowEnd: Int64, entries: [ClusterRecord.Candidate])] {
        guard let watermark else { return [] }
        let limit = watermark == .max ? Int64.max : watermark + 1
        guard limit > firedThrough else { return [] }
        var fired: [(windowEnd: Int64, entries: [ClusterRecord.Candidate])] = []
        // Each tag's total over the window's slices; from one window to the next (one slide on)
        // the slice entering is added and the one leaving taken away.
        var totals: [KeyString: Int64] = [:]
        var previousLastSlice: Int64?
        for end in candidateEnds(through: limit, window: window) {
            let lastSlice = end / window.slide - 1
            if let previousLastSlice, previousLastSlice == lastSlice - 1 {
                for (tag, count) in slices[lastSlice] ?? [:] { totals[tag, default: 0] &+= count }
                for (tag, count) in slices[lastSlice - window.slicesPerWindow] ?? [:] {
                    let left = (totals[tag] ?? 0) &- count
                    totals[tag] = left == 0 ? nil : left
                }
            } else {
                totals = [:]
                for slice in (lastSlice - window.slicesPerWindow + 1)...lastSlice where slices[slice] != nil {
                    for (tag, count) in slices[slice]! { totals[tag, default: 0] &+= count }
                }
            }
            previousLastSlice = lastSlice
            var selection = TopKSelection<KeyString, Int64>(k: k, isGreater: >)
            for (tag, count) in totals { selection.offer(key: tag, value: count) }
            if !selection.sorted.isEmpty {
                fired.append((end, selection.sorted.map { ClusterRecord.Candidate(tag: $0.key.string, count: $0.value) }))
            }
        }
        firedThrough = limit
        for slice in slices.keys where limit == .max || Self.end(ofSlice: slice, step: window.slicesPerWindow, window) ?? .max <= limit {
            slices[slice] = nil
        }
        return fired
    }

    /// The ends after `firedThrough` and at or before `limit` of the windows that may hold
    /// records, in order: the multiples of the slide in that range when they are few (a watermark
    /// moving on), else the ends of the windows of each slice that holds records.
    private func candidateEnds(through limit: Int64, window: WindowSpec) -> [Int64] {
        let (span, overflow) = limit.subtractingReportingOverflow(firedThrough)
        if !overflow, span / window.slide <= Int64(slices.count) * window.slicesPerWindow {
            let first = firedThrough.flooredDivision(by: window.slide) + 1
            let last = limit.flooredDivision(by: window.slide)
            guard first <= last else { return [] }
            return (first...last).compactMap { step in
                let (end, overflowed) = step.multipliedReportingOverflow(by: window.slide)
                return overflowed ? nil : end
            }
        }
        var ends = Set<Int64>()
        for slice in slices.keys {
            for step in 1...window.slicesPerWindow {
                guard let end = Self.end(ofSlice: slice, step: step, window) else { break }
                if end > firedThrough && end <= limit { ends.insert(end) }
            }
        }
        return ends.sorted()
    }

    /// The end of the `step`-th window holding `slice` (the first ends right after it), or nil
    /// when it is past the range of event times.
    private static func end(ofSlice slice: Int64, step: Int64, _ window: WindowSpec) -> Int64? {
        let (next, overflow) = slice.addingReportingOverflow(step)
        guard !overflow else { return nil }
        let (end, overflowed) = next.multipliedReportingOverflow(by: window.slide)
        return overflowed ? nil : end
    }

    package var bytes: [UInt8] {
        var writer = StateWriter()
        writer.write(keyGroup)
        writer.write(nextOffset)
        writer.write(sourcePartitions)
        writer.write(lastSourceOffset.count)
        for (partition, offset) in lastSourceOffset.sorted(by: { $0.key < $1.key }) {
            writer.write(partition)
            writer.write(offset)
        }
        writer.write(sourceWatermarks.count)
        for (partition, entry) in sourceWatermarks.sorted(by: { $0.key < $1.key }) {
            writer.write(partition)
            writer.write(entry.watermark)
            writer.write(entry.idle)
        }
        writer.write(slices.count)
        for (slice, counts) in slices.sorted(by: { $0.key < $1.key }) {
            writer.write(slice)
            writer.write(counts.count)
            for (tag, count) in counts.sorted(by: { $0.key < $1.key }) {
                writer.write(tag.string)
                writer.write(count)
            }
        }
        writer.write(firedThrough)
        writer.write(lateRecords)
        return writer.bytes
    }

    /// The state `bytes` hold; throws `StateReader.Damaged` on anything impossible.
    package init(bytes: [UInt8], keyGroup: Int) throws {
        var reader = StateReader(bytes)
        guard try reader.readInt() == keyGroup else { throw StateReader.Damaged(description: "the snapshot is of another key group") }
        self.keyGroup = keyGroup
        nextOffset = try reader.readInt64()
        sourcePartitions = try reader.readInt()
        guard nextOffset >= 0, nextOffset < .max, (0...ClusterRecord.maximumPartitions).contains(sourcePartitions) else {
            throw StateReader.Damaged(description: "an impossible offset or partition count")
        }
        for _ in 0..<(try reader.readCount()) { lastSourceOffset[try reader.readInt()] = try reader.readInt64() }
        for _ in 0..<(try reader.readCount()) {
            sourceWatermarks[try reader.readInt()] = SourceWatermark(watermark: try reader.readInt64(), idle: try reader.readBool())
        }
        for _ in 0..<(try reader.readCount()) {
            let slice = try reader.readInt64()
            guard ClusterRecord.isEventTime(slice) else { throw StateReader.Damaged(description: "an impossible slice \(slice)") }
            var counts: [KeyString: Int64] = [:]
            for _ in 0..<(try reader.readCount()) { counts[KeyString(try reader.readString())] = Int64(try reader.readCounter()) }
            slices[slice] = counts
        }
        firedThrough = try reader.readInt64()
        lateRecords = try reader.readCounter()
        guard reader.isAtEnd else { throw StateReader.Damaged(description: "bytes after the state's end") }
    }
}
