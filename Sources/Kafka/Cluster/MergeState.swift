import Flow
import Operators

/// The merge's state: every key group's watermark, the candidates of the windows not yet
/// emitted, and where the output stood when it was last written. Like a key group's, it is a
/// function of the results partition up to `nextOffset`.
package struct MergeState: Equatable {
    package var nextOffset: Int64 = 0
    var keyGroupWatermarks = [Int64](repeating: .min, count: ClusterSettings.keyGroups)
    /// Per window end: each tag's count, from the key groups that sent it.
    var candidates: [Int64: [KeyString: Int64]] = [:]
    /// Per window end: the key groups whose candidates arrived (a key group taken over sends
    /// its windows again; the first copy counts).
    var received: [Int64: Set<Int>] = [:]
    /// Every window ending at or before this has been emitted.
    var emittedThrough = Int64.min
    /// Per output partition: an offset at or before the first record emitted after this state.
    var outputOffsets: [Int: Int64] = [:]

    package init() {}

    package mutating func take(_ record: ClusterRecord, at offset: Int64) {
        nextOffset = offset + 1
        switch record {
        case .candidates(let keyGroup, let windowEnd, let entries):
            guard windowEnd > emittedThrough, received[windowEnd, default: []].insert(keyGroup).inserted else { return }
            for entry in entries { candidates[windowEnd, default: [:]][KeyString(entry.tag)] = entry.count }
        case .progress(let keyGroup, let watermark):
            keyGroupWatermarks[keyGroup] = max(keyGroupWatermarks[keyGroup], watermark)
        case .tweets, .watermark, .finished:
            break
        }
    }

    /// The watermark of all key groups: their minimum.
    package var watermark: Int64 { keyGroupWatermarks.min() ?? .min }

    /// Whether every key group reached the end of the input.
    package var isComplete: Bool { watermark == .max }

    /// The windows the watermark completed, in order, each ranked 1…k (largest first, ties by
    /// the smaller tag); they leave the state.
    package mutating func completeWindows(k: Int) -> [RankedCount] {
        let watermark = self.watermark
        let limit = watermark == .max ? Int64.max : watermark + 1
        guard limit > emittedThrough else { return [] }
        var ranked: [RankedCount] = []
        for end in candidates.keys.filter({ $0 <= limit }).sorted() {
            var selection = TopKSelection<KeyString, Int64>(k: k, isGreater: >)
            for (tag, count) in candidates[end]! { selection.offer(key: tag, value: count) }
            for (index, pair) in selection.sorted.enumerated() {
                ranked.append(RankedCount(windowEnd: EventTime(milliseconds: end), rank: index + 1, key: pair.key, value: pair.value))
            }
            candidates[end] = nil
            received[end] = nil
        }
        emittedThrough = limit
        return ranked
    }

    package var bytes: [UInt8] {
        var writer = StateWriter()
        writer.write(nextOffset)
        for watermark in keyGroupWatermarks { writer.write(watermark) }
        writer.write(candidates.count)
        for (end, counts) in candidates.sorted(by: { $0.key < $1.key }) {
            writer.write(end)
            writer.write(counts.count)
            for (tag, count) in counts.sorted(by: { $0.key < $1.key }) {
                writer.write(tag.string)
                writer.write(count)
            }
            let groups = (received[end] ?? []).sorted()
            writer.write(groups.count)
            for group in groups { writer.write(group) }
        }
        writer.write(emittedThrough)
        writer.write(outputOffsets.count)
        for (partition, offset) in outputOffsets.sorted(by: { $0.key < $1.key }) {
            writer.write(partition)
            writer.write(offset)
        }
        return writer.bytes
    }

    package init(bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        nextOffset = try reader.readInt64()
        guard nextOffset >= 0, nextOffset < .max else { throw StateReader.Damaged(description: "an impossible offset \(nextOffset)") }
        for group in 0..<ClusterSettings.keyGroups { keyGroupWatermarks[group] = try reader.readInt64() }
        for _ in 0..<(try reader.readCount()) {
            let end = try reader.readInt64()
            var counts: [KeyString: Int64] = [:]
            for _ in 0..<(try reader.readCount()) { counts[KeyString(try reader.readString())] = Int64(try reader.readCounter()) }
            var groups = Set<Int>()
            for _ in 0..<(try reader.readCount()) {
                let group = try reader.readInt()
                guard (0..<ClusterSettings.keyGroups).contains(group) else { throw StateReader.Damaged(description: "an impossible key group \(group)") }
                groups.insert(group)
            }
            candidates[end] = counts
            received[end] = groups
        }
        emittedThrough = try reader.readInt64()
        for _ in 0..<(try reader.readCount()) {
            let partition = try reader.readInt(), offset = try reader.readInt64()
            guard partition >= 0, offset >= 0 else { throw StateReader.Damaged(description: "an impossible output offset") }
            outputOffsets[partition] = offset
        }
        guard reader.isAtEnd else { throw StateReader.Damaged(description: "bytes after the state's end") }
    }
}
