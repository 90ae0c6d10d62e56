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
    private var snapshots: Interval
    private(set) var setAside = 0
    private(set) var restored = 0
    /// The key groups this worker owns now.
    var owned: Int { states.count }
    private let report: (String) -> Void

    init(settings: ClusterSettings, report: @escaping (String) -> Void) throws {
        self.settings = settings
        self.report = report
        snapshots = Interval(seconds: settings.checkpointInterval.seconds)
        consumer = try GroupConsumer(settings: settings, stage: "keygroups", topic: settings.exchangeTopic)
        results = try KafkaProducer(connection: settings.cluster, topic: settings.resultsTopic, transactionalID: nil,
                                    partitions: 1, transactionTimeout: .seconds(60))
    }

    func step(milliseconds: Int32, now: Double) throws {
        try followAssignment(now: now)
        var touched: Set<Int> = []
        try consumer.drain(waitingMilliseconds: milliseconds) { message in
            if let group = try take(message) { touched.insert(group) }
        }
        for group in touched.sorted() { try fire(group) }
        if snapshots.isDue(now) { try snapshot() }
    }

    func stop() throws {
        try snapshot()
        consumer.close()
    }

    private func shelf(_ group: Int) -> SnapshotShelf {
        SnapshotShelf(folder: "\(settings.checkpointFolder)/keygroup-\(String(1000 + group).dropFirst())")
    }

    private func followAssignment(now: Double, force: Bool = false) throws {
        let (gained, lost) = consumer.checkAssignment(now: now, force: force)
        for group in lost {
            states[group] = nil
            progressSent[group] = nil
            changed.remove(group)
        }
        let resumed = try consumer.resume(gained, settings: settings, what: { "key group \($0)" }, load: newestState, nextOffset: \.nextOffset)
        states.merge(resumed) { $1 }
        let fromSnapshots = resumed.values.count { $0.nextOffset > 0 }
        restored += fromSnapshots
        if !gained.isEmpty || !lost.isEmpty {
            report("key groups: \(states.count) owned (\(gained.count) gained, \(fromSnapshots) of them restored from snapshots; \(lost.count) given up)")
        }
    }

    /// The newest snapshot of `group`, or an empty state when it has none.
    private func newestState(_ group: Int) throws -> KeyGroupState {
        guard let (offset, bytes) = try shelf(group).newest() else { return KeyGroupState(keyGroup: group) }
        do {
            return try KeyGroupState(bytes: bytes, keyGroup: group)
        } catch {
            throw FlowError(.missingInput, "the snapshot \(shelf(group).path(offset)) of key group \(group) is damaged (\(error)); delete it to restore the one before it")
        }
    }

    /// Takes one message; returns its key group when it changed the group's state.
    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>) throws -> Int? {
        let group = Int(message.pointee.partition), offset = message.pointee.offset
        guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if consumer.client.isFatal { throw FlowError(.external, "\(settings.cluster) failed (\(consumer.client.lastError)); restart the worker") }
            return nil
        }
        // A partition's first records can come before the assignment check saw it; the record
        // in hand was fetched before the partition was moved to its state's offset.
        if states[group] == nil {
            try followAssignment(now: SystemClock.monotonicSeconds(), force: true)
            guard offset == states[group]?.nextOffset else { return nil }
        }
        // Offsets may skip (a broker's retried or aborted batches): anything at or past the next
        // offset is new.
        guard let nextOffset = states[group]?.nextOffset, offset >= nextOffset else { return nil }
        let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
        // The state is changed where it lies in the dictionary: a copy would copy its tables.
        if let record = ClusterRecord(payload) {
            states[group]!.take(record, at: offset, window: settings.window)
        } else {
            states[group]!.nextOffset = offset + 1
            setAside += 1
        }
        changed.insert(group)
        return group
    }

    /// Sends the windows the key group's watermark completed, then the watermark itself.
    private func fire(_ group: Int) throws {
        guard states[group] != nil else { return }
        let fired = states[group]!.fireWindows(window: settings.window, k: settings.k)
        for (end, entries) in fired {
            let record = ClusterRecord.candidates(keyGroup: group, windowEnd: end, entries: entries)
            try results.produce([KafkaRecord(key: [], value: record.bytes, timestamp: end)], partition: 0)
        }
        if let watermark = states[group]!.watermark, watermark > progressSent[group] ?? .min {
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
