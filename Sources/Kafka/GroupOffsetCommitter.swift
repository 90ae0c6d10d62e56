import CKafka
import Flow

/// Commits a Kafka source's offsets to its consumer group once the checkpoint that holds them is
/// complete (on the checkpoint writer's thread), so that the group shows the job's lag. Flow never
/// reads them back: the checkpoint is the source of truth. A failed commit only leaves the
/// group's view behind until the next one.
final class GroupOffsetCommitter: Sendable {
    private let topic: String
    private let state = Locked<(client: KafkaClient?, byCheckpoint: [Int64: [Int: Int64]])>((nil, [:]))

    init(topic: String) { self.topic = topic }

    func attach(_ client: KafkaClient) { state.withLock { $0.client = client } }

    /// Keeps the offsets a checkpoint's snapshot holds, until that checkpoint completes.
    func remember(_ offsets: [Int: Int64], for checkpoint: Int64) {
        state.withLock { $0.byCheckpoint[checkpoint] = offsets }
    }

    /// Commits the offsets of the newest checkpoint up to `checkpoint`.
    func commit(upTo checkpoint: Int64) {
        let (client, offsets): (KafkaClient?, [Int: Int64]?) = state.withLock { state in
            let due = state.byCheckpoint.keys.filter { $0 <= checkpoint }
            guard let newest = due.max() else { return (nil, nil) }
            let offsets = state.byCheckpoint[newest]
            for id in due { state.byCheckpoint.removeValue(forKey: id) }
            return (state.client, offsets)
        }
        guard let client, let offsets, !offsets.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, offset) in offsets { rd_kafka_topic_partition_list_add(list, topic, Int32(partition))!.pointee.offset = offset }
        _ = rd_kafka_commit(client.handle, list, 1)
    }
}
