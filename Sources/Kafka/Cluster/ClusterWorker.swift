import CKafka
import Flow
import Synchronization

/// One worker of a job that runs over several processes: it hosts the three stages (ingest,
/// key groups, merge), each a member of its own consumer group, so the partitions of every stage
/// spread over the workers alive and move when one dies or joins. The worker runs until the
/// merge announces the end of a bounded input on the control topic, or until it is stopped.
public final class ClusterWorker: Sendable {
    private let settings: ClusterSettings
    private let stopRequested = Atomic<Bool>(false)

    public init(settings: ClusterSettings) { self.settings = settings }

    /// What a worker did, for its summary line.
    public struct Summary: Sendable {
        public var tweets = 0
        public var setAside = 0
        public var keyGroupsRestored = 0
        public var windowsEmitted = 0
        public var jobFinished = false
    }

    /// Asks the worker to stop: it delivers what it sent, writes its state and leaves the groups.
    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// Runs the worker until the job finishes or it is asked to stop; `report` hears of progress.
    /// Runs the worker until the job finishes or a stop is asked; with `metrics`, keeps its
    /// counts there as it goes (for a metrics endpoint).
    public func run(metrics: JobMetrics? = nil, report: @escaping (String) -> Void) throws -> Summary {
        let ingest = try IngestStage(settings: settings)
        let keyGroups = try KeyGroupStage(settings: settings, report: report)
        let merge = try MergeStage(settings: settings)
        let control = try ControlWatch(settings: settings)
        report("worker \(settings.workerID) joined job \(settings.jobName) at \(settings.cluster.brokers), writing to \(settings.output)")
        var summary = Summary()
        var status = Interval(seconds: 1)
        let meters = metrics.map(WorkerMeters.init)
        metrics?.markStarted(at: SystemClock.monotonicSeconds())
        defer { metrics?.markFinished(at: SystemClock.monotonicSeconds()) }
        while !stopRequested.load(ordering: .relaxed) {
            let now = SystemClock.monotonicSeconds()
            if let statusFile = settings.statusFile, status.isDue(now) {
                try writeStatus(statusFile, keyGroups: keyGroups.owned, tweets: ingest.tweets)
            }
            try ingest.step(milliseconds: 5, now: now)
            try keyGroups.step(milliseconds: 5, now: now)
            try merge.step(milliseconds: 5, now: now)
            meters?.update(tweets: ingest.tweets, setAside: ingest.setAside + keyGroups.setAside, keyGroups: keyGroups.owned,
                           windowsEmitted: merge.windowsEmitted)
            if control.jobFinished() {
                summary.jobFinished = true
                break
            }
        }
        try ingest.stop()
        try keyGroups.stop()
        try merge.stop()
        summary.tweets = ingest.tweets
        summary.setAside = ingest.setAside + keyGroups.setAside
        summary.keyGroupsRestored = keyGroups.restored
        summary.windowsEmitted = merge.windowsEmitted
        return summary
    }
}

extension ClusterWorker {
    /// One line: the worker, the key groups it owns and the tweets it read, rewritten whole.
    private func writeStatus(_ path: String, keyGroups: Int, tweets: Int) throws {
        let line = "worker \(settings.workerID) of job \(settings.jobName): \(keyGroups) key groups, \(tweets) tweets read\n"
        do { try DurableFiles.write(Array(line.utf8), to: path) } catch let error as FlowError {
            throw FlowError(.output, "cannot write the --status-file \(path) (\(error.message)); choose a writable path", cause: error)
        }
    }
}

/// Watches the job's control topic for the merge's announcement that the job finished.
private final class ControlWatch {
    private let client: KafkaClient

    init(settings: ClusterSettings) throws {
        client = try KafkaClient(.consumer, connection: settings.cluster, properties: [
            "group.id": settings.group("control"), "enable.auto.commit": "false", "auto.offset.reset": "earliest", "fetch.wait.max.ms": "10",
        ])
        if try client.partitionCount(settings.controlTopic) == nil { try client.createTopic(settings.controlTopic, partitions: 1) }
        let list = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_topic_partition_list_add(list, settings.controlTopic, 0)!.pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        guard rd_kafka_assign(client.handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw FlowError(.external, "\(settings.cluster) refused a read of \(settings.controlTopic); check the client's permissions")
        }
    }

    func jobFinished() -> Bool {
        while let message = rd_kafka_consumer_poll(client.handle, 0) {
            defer { rd_kafka_message_destroy(message) }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
            if ClusterRecord(payload) == .finished { return true }
        }
        return false
    }
}
