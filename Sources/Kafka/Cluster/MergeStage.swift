import CKafka
import Flow
import Operators

/// The third stage: whichever worker the group gives the single results partition merges the
/// key groups' local top K into the global top K of each window, once every key group's
/// watermark passed it, and writes it to the job's output (``ClusterResults``).
///
/// Exactly once without a transaction: the merge's state is written (after the output is
/// delivered) with where the output stood, and a worker that takes the merge over tells the
/// output, which leaves out the window results already written (a Kafka topic is read back) or
/// writes them again identically (a Redis set).
final class MergeStage {
    private let settings: ClusterSettings
    private let consumer: GroupConsumer
    private let output: any ClusterResults
    private let control: KafkaProducer
    private let shelf: SnapshotShelf
    private var state: MergeState?
    private var changed = false
    private var snapshots: Interval
    private(set) var windowsEmitted = 0
    private(set) var finished = false

    init(settings: ClusterSettings) throws {
        self.settings = settings
        consumer = try GroupConsumer(settings: settings, stage: "merge", topic: settings.resultsTopic)
        switch settings.output {
        case .kafka(let sink): output = try KafkaClusterResults(sink: sink, group: settings.group("output-check"))
        case .other(_, let make): output = try make()
        }
        control = try KafkaProducer(connection: settings.cluster, topic: settings.controlTopic, transactionalID: nil, partitions: 1, transactionTimeout: .seconds(60))
        shelf = SnapshotShelf(folder: "\(settings.checkpointFolder)/merge")
        snapshots = Interval(seconds: settings.checkpointInterval.seconds)
    }

    func step(milliseconds: Int32, now: Double) throws {
        try followAssignment(now: now)
        try consumer.drain(waitingMilliseconds: milliseconds) { message in try take(message) }
        try emit()
        if snapshots.isDue(now) { try snapshot() }
    }

    func stop() throws {
        try snapshot()
        consumer.close()
    }

    private func followAssignment(now: Double, force: Bool = false) throws {
        let (gained, lost) = consumer.checkAssignment(now: now, force: force)
        if !lost.isEmpty { state = nil }
        guard gained.contains(0) else { return }
        let restored = try consumer.resume([0], settings: settings, what: { _ in "the merge" }, load: { _ in try newestState() }, nextOffset: \.nextOffset)[0]!
        try output.resume(after: restored.outputOffsets, windowsThrough: restored.emittedThrough)
        state = restored
    }

    /// The newest snapshot of the merge, or an empty state when it has none.
    private func newestState() throws -> MergeState {
        guard let (offset, bytes) = try shelf.newest() else { return MergeState() }
        do {
            return try MergeState(bytes: bytes)
        } catch {
            throw FlowError(.missingInput, "the merge snapshot \(shelf.path(offset)) is damaged (\(error)); delete it to restore the one before it")
        }
    }

    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>) throws {
        guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR, message.pointee.partition == 0 else {
            if consumer.client.isFatal { throw FlowError(.external, "\(settings.cluster) failed (\(consumer.client.lastError)); restart the worker") }
            return
        }
        // The partition's first records can come before the assignment check saw it; the record
        // in hand was fetched before the partition was moved to its state's offset.
        if state == nil {
            try followAssignment(now: SystemClock.monotonicSeconds(), force: true)
            guard message.pointee.offset == state?.nextOffset else { return }
        }
        // Offsets may skip (a broker's retried or aborted batches): anything at or past the next
        // offset is new.
        guard let nextOffset = state?.nextOffset, message.pointee.offset >= nextOffset else { return }
        let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
        // Changed in place: a copy would copy the open windows' tables.
        if let record = ClusterRecord(payload) {
            state!.take(record, at: message.pointee.offset)
        } else {
            state!.nextOffset = message.pointee.offset + 1
        }
        changed = true
    }

    private func emit() throws {
        guard state != nil else { return }
        let ranked = state!.completeWindows(k: settings.k)
        let complete = state!.isComplete
        try output.write(ranked)
        windowsEmitted += ranked.count { $0.rank == 1 }
        if complete && !finished {
            try output.finish()
            try control.produce([KafkaRecord(key: [], value: ClusterRecord.finished.bytes, timestamp: 0)], partition: 0)
            try control.flush()
            finished = true
        }
    }

    /// Delivers the output, then writes the state with the output's offsets now.
    private func snapshot() throws {
        guard changed, state != nil else { return }
        state!.outputOffsets = try output.deliver(windowsThrough: state!.emittedThrough)
        guard let state else { return }
        try shelf.write(state.bytes, offset: state.nextOffset)
        changed = false
        consumer.commit([0: state.nextOffset])
    }
}
