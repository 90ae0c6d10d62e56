import CKafka
import Flow

/// The second stage of a worker: owns the key groups (exchange partitions) the group gives it,
/// counts their hashtags per window, and sends each window's local top K, then the key group's
/// watermark, to the results topic.
///
/// Every `checkpointInterval`, after the results sent so far are delivered, each changed key
/// group is written to the shared folder, named by its exchange offset, and that offset is
/// committed. A worker that takes a key group over loads its newest snapshot and skips the
/// records before it; results it sends again are dropped by the merge.
final class KeyGroupStage {
    private let settings: ClusterSettings
    private let consumer: GroupConsumer
    private let results: KafkaProducer
    private var states: [Int: KeyGroupState] = [:]
    private var progressSent: [Int: Int64] = [:]
    private var changed: Set<Int> = []
    private var lastSnapshot = -Double.infinity
    private(set) var setAside = 0
    private(set) var restored = 0

    init(settings: ClusterSettings) throws {
        self.settings = settings
        consumer = try GroupConsumer(settings: settings, stage: "keygroups", topic: settings.exchangeTopic)
        results = try KafkaProducer(connection: settings.cluster, topic: settings.resultsTopic, transactionalID: nil,
                                    partitions: 1, transactionTimeout: .seconds(60))
    }

    func step(milliseconds: Int32, now: Double) throws {
        try followAssignment(now: now)
        var budget = 4096
        var touched: Set<Int> = []
        while budget > 0, let message = consumer.poll(milliseconds: budget == 4096 ? milliseconds : 0) {
            defer { rd_kafka_message_destroy(message) }
            budget -= 1
            if let group = try take(message) { touched.insert(group) }
        }
        for group in touched.sorted() { try fire(group) }
        if now - lastSnapshot >= settings.checkpointInterval.seconds {
            lastSnapshot = now
            try snapshot()
        }
    }

    func stop() throws {
        try snapshot()
        consumer.close()
    }

    private func shelf(_ group: Int) -> SnapshotShelf {
        SnapshotShelf(folder: "\(settings.checkpointFolder)/keygroup-\(String(1000 + group).dropFirst())")
    }

    private func followAssignment(now: Double) throws {
        let (gained, lost) = consumer.checkAssignment(now: now)
        for group in lost {
            states[group] = nil
            progressSent[group] = nil
            changed.remove(group)
        }
        for group in gained.sorted() {
            if let (offset, bytes) = try shelf(group).newest() {
                do {
                    states[group] = try KeyGroupState(bytes: bytes, keyGroup: group)
                } catch {
                    throw FlowError(.missingInput, "the snapshot \(shelf(group).path(offset)) of key group \(group) is damaged (\(error)); delete it to restore the one before it")
                }
                restored += 1
            } else {
                states[group] = KeyGroupState(keyGroup: group)
            }
        }
    }

    /// Takes one message; returns its key group when it changed the group's state.
    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>) throws -> Int? {
        let group = Int(message.pointee.partition), offset = message.pointee.offset
        guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if consumer.client.isFatal { throw FlowError(.external, "\(settings.cluster) failed (\(consumer.client.lastError)); restart the worker") }
            return nil
        }
        guard var state = states[group], offset >= state.nextOffset else { return nil }
        if offset > state.nextOffset && state.nextOffset > 0 {
            throw FlowError(.missingInput, "key group \(group) resumes at offset \(state.nextOffset) of \(settings.exchangeTopic), but the next record there is at \(offset): records were deleted (retention) or the snapshots belong to another run; clear the job's checkpoint folder and topics to start over")
        }
        let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
        if let record = ClusterRecord(payload) {
            state.take(record, at: offset, window: settings.window)
        } else {
            state.nextOffset = offset + 1
            setAside += 1
        }
        states[group] = state
        changed.insert(group)
        return group
    }

    /// Sends the windows the key group's watermark completed, then the watermark itself.
    private func fire(_ group: Int) throws {
        guard var state = states[group] else { return }
        let fired = state.fireWindows(window: settings.window, k: settings.k)
        states[group] = state
        for (end, entries) in fired {
            let record = ClusterRecord.candidates(keyGroup: group, windowEnd: end, entries: entries)
            try results.produce([KafkaRecord(key: [], value: record.bytes, timestamp: end)], partition: 0)
        }
        if let watermark = state.watermark, watermark > progressSent[group] ?? .min {
            progressSent[group] = watermark
            try results.produce([KafkaRecord(key: [], value: ClusterRecord.progress(keyGroup: group, watermark: watermark).bytes, timestamp: 0)], partition: 0)
        }
    }

    /// Delivers the results sent, then writes each changed key group and commits its offset.
    private func snapshot() throws {
        guard !changed.isEmpty else { return }
        try results.flush()
        var offsets: [Int: Int64] = [:]
        for group in changed.sorted() {
            guard let state = states[group] else { continue }
            try shelf(group).write(state.bytes, offset: state.nextOffset)
            offsets[group] = state.nextOffset
        }
        changed = []
        consumer.commit(offsets)
    }
}
