import Flow
import Kafka
import Operators

/// What cluster workers read from each other: records from the job's topics (anyone who can
/// write a topic can send one) and key-group and merge snapshots from the shared folder. Each
/// decodes to nil or throws, or gives a value that survives a round trip and can be fed to the
/// state that takes it; nothing may trap.
enum ClusterStateTarget {
    static let window = try! WindowSpec(size: .seconds(30), slide: .seconds(10))

    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        let array = Array(bytes.bindMemory(to: UInt8.self))
        if let record = array.withUnsafeBufferPointer({ ClusterRecord($0) }) {
            guard record.bytes.withUnsafeBufferPointer({ ClusterRecord($0) }) == record else { return "a cluster record changed in a round trip" }
            var keyGroup = KeyGroupState(keyGroup: 0)
            keyGroup.take(record, at: 0, window: window)
            _ = keyGroup.fireWindows(window: window, k: 3)
            var merge = MergeState()
            merge.take(record, at: 0)
            _ = merge.completeWindows(k: 3)
        }
        if var keyGroup = try? KeyGroupState(bytes: array, keyGroup: 0) {
            guard (try? KeyGroupState(bytes: keyGroup.bytes, keyGroup: 0)) == keyGroup else { return "a key group's state changed in a round trip" }
            keyGroup.take(.hashtags(partition: 0, offset: 1 << 40, eventTime: 0, tags: ["a"]), at: keyGroup.nextOffset, window: window)
            keyGroup.take(.watermark(partition: 0, partitions: 1, watermark: .max, idle: false), at: keyGroup.nextOffset, window: window)
            _ = keyGroup.fireWindows(window: window, k: 3)
        }
        if var merge = try? MergeState(bytes: array) {
            guard (try? MergeState(bytes: merge.bytes)) == merge else { return "the merge's state changed in a round trip" }
            for group in 0..<128 { merge.take(.progress(keyGroup: group, watermark: .max), at: merge.nextOffset) }
            _ = merge.completeWindows(k: 3)
        }
        return nil
    }
}
