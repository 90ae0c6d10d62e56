import CKafka
import Flow
import TweetLog

/// Reads tweets (one JSON object per record) from every partition of a Kafka topic.
///
/// Flow's checkpoint is the source of truth for the position: the next offset of each partition
/// is the source's state, and a restore resumes exactly there; partitions the checkpoint does not
/// name start at `start`. After a checkpoint completes, its offsets are also committed to the
/// consumer group, for monitoring (lag), as Flink does; they are never read back.
///
/// Watermarks are made here, per partition (``PartitionWatermarks``), so a job reading Kafka
/// needs no `watermarks` step. With `bounded`, the source stops once every partition reached an
/// end of partition at or after the end it had when the source opened (for tests and benchmarks);
/// otherwise it runs until stopped. With a replay
/// speed, records are emitted at their event times' pace (a topic's history replayed).
///
/// Malformed records are counted and skipped; a record is decoded from librdkafka's buffer.
/// Declared state: a split list of one entry (the source runs as one subtask).
public final class KafkaTweetSource: Source {
    public struct Settings: Sendable {
        public var connection: KafkaConnection
        public var topic: String
        public var group: String
        public var start = KafkaStart.earliest
        public var outOfOrderness = Duration.seconds(5)
        public var idleTimeout: Duration?
        public var bounded = false

        public init(connection: KafkaConnection, topic: String, group: String) {
            self.connection = connection
            self.topic = topic
            self.group = group
        }
    }

    private let settings: Settings
    private let clock: any WallClock
    private let granularity: Int64
    private var client: KafkaClient?
    private var queue: OpaquePointer?
    private let decoder = TweetMessageDecoder()
    private var watermarks: PartitionWatermarks
    private var lastStep = Int64.min
    /// The next offset to read of each partition, once known.
    private var nextOffsets: [Int: Int64] = [:]
    private var restoredOffsets: [Int: (offset: Int64, maxEventTime: Int64)] = [:]
    /// Where a bounded read ends, per partition.
    private var endOffsets: [Int: Int64] = [:]
    private var pending: [UnsafeMutablePointer<rd_kafka_message_t>] = []
    private let batch = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: KafkaTweetSource.batchSize)
    private static let batchSize = 4096
    private let committer: GroupOffsetCommitter
    private let tweets, notTweets, malformed: Counter
    /// Records between what this subtask read and the end of its partitions, as librdkafka last
    /// heard the end from a fetch (no request of its own), measured at most once a second.
    private let recordsBehind: Level
    private var recordsBehindMeasured = -Double.infinity

    public init(settings: Settings, context: SubtaskContext, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
        granularity = max(1, context.watermarkGranularity)
        watermarks = PartitionWatermarks(delay: settings.outOfOrderness, idleTimeout: settings.idleTimeout)
        tweets = context.metrics.counter("tweets")
        notTweets = context.metrics.counter("non-tweet records")
        malformed = context.metrics.counter("malformed records")
        recordsBehind = context.metrics.level("kafka records behind")
        let committer = GroupOffsetCommitter(topic: settings.topic)
        self.committer = committer
        context.onCheckpointComplete { checkpoint in committer.commit(upTo: checkpoint) }
    }

    deinit {
        for message in pending { rd_kafka_message_destroy(message) }
        if let queue { rd_kafka_queue_destroy(queue) }
        if let client { rd_kafka_consumer_close(client.handle) }
        batch.deallocate()
    }

    public var declaredState: [StateDeclaration] { [.splitList("offsets")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("offsets").first else { return }
        lastStep = try reader.readInt64()
        watermarks.restoreEmitted(try reader.readInt64())
        let count = try reader.readCount()
        for _ in 0..<count {
            let partition = try reader.readInt(), offset = try reader.readInt64(), maxEventTime = try reader.readInt64()
            guard (0...1_000_000).contains(partition), offset >= 0 else {
                throw StateReader.Damaged(description: "an impossible offset \(offset) of partition \(partition)")
            }
            restoredOffsets[partition] = (offset, maxEventTime)
        }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(lastStep)
        state.write(watermarks.emitted)
        let partitions = nextOffsets.keys.sorted()
        state.write(partitions.count)
        for partition in partitions {
            state.write(partition)
            state.write(nextOffsets[partition]!)
            state.write(watermarks.maxEventTime(partition))
        }
        snapshot.add("offsets", state)
        snapshot.position = "\(settings.topic) offsets " + partitions.map { "\($0):\(nextOffsets[$0]!)" }.joined(separator: " ")
        committer.remember(nextOffsets, for: snapshot.checkpointID)
    }

    public func open() throws {
        let client = try KafkaClient(.consumer, connection: settings.connection, properties: [
            "group.id": settings.group,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "true",
            // An offset no longer in the topic is an error, never a silent jump to its end.
            "auto.offset.reset": "error",
            "isolation.level": "read_committed",
            // Bounds what librdkafka prefetches per partition while the job is held back.
            "queued.max.messages.kbytes": "16384",
            // How long a broker may hold a fetch with nothing new. Kafka answers as soon as records
            // arrive; brokers that poll their log (Tansu: about 100 ms) answer only then, so this
            // bounds the latency a live record sees, at 100 empty fetches a second when idle.
            "fetch.wait.max.ms": "10",
        ])
        self.client = client
        committer.attach(client)
        guard let count = try client.partitionCount(settings.topic) else {
            throw FlowError(.missingInput, "the Kafka topic \(settings.topic) does not exist at \(settings.connection.brokers); create it (or replay into it with configs/replay-to-kafka.yaml) and run again")
        }
        let now = clock.now()
        let list = rd_kafka_topic_partition_list_new(Int32(count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<count {
            let entry = rd_kafka_topic_partition_list_add(list, settings.topic, Int32(partition))!
            if let restored = restoredOffsets[partition] {
                entry.pointee.offset = restored.offset
                nextOffsets[partition] = restored.offset
            } else {
                switch settings.start {
                case .earliest: entry.pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
                case .latest: entry.pointee.offset = Int64(RD_KAFKA_OFFSET_END)
                case .timestamp(let milliseconds): entry.pointee.offset = milliseconds
                }
            }
            watermarks.track(partition, maxEventTime: restoredOffsets[partition]?.maxEventTime ?? .min, now: now)
        }
        if case .timestamp = settings.start, restoredOffsets.count < count {
            try resolveTimestamps(list, client: client)
        }
        try pinStartOffsets(list, client: client)
        if settings.bounded { try queryEndOffsets(count, client: client) }
        let error = rd_kafka_assign(client.handle, list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw FlowError(.external, "\(settings.connection) refused the partitions of \(settings.topic) (\(String(cString: rd_kafka_err2str(error)))); check the topic and the client's permissions")
        }
        queue = rd_kafka_queue_get_consumer(client.handle)
    }

    /// Replaces the timestamps in `list` (those not restored) by the first offsets at or after them.
    private func resolveTimestamps(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, client: KafkaClient) throws {
        let error = rd_kafka_offsets_for_times(client.handle, list, Int32(settings.connection.timeoutMilliseconds))
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw client.unreachable(String(cString: rd_kafka_err2str(error))) }
        for index in 0..<Int(list.pointee.cnt) {
            let entry = list.pointee.elems[index]
            // No record at or after the time: start at the end.
            if restoredOffsets[Int(entry.partition)] == nil && entry.offset < 0 { list.pointee.elems[index].offset = Int64(RD_KAFKA_OFFSET_END) }
        }
    }

    /// Replaces "the end" by the end's offset now, and keeps every offset a partition starts at,
    /// so a checkpoint taken before a partition's first record resumes where the run started,
    /// not at a later end (records in between would be skipped). The beginning stays the
    /// beginning: whatever it is at a restore, nothing was read before it.
    private func pinStartOffsets(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, client: KafkaClient) throws {
        for index in 0..<Int(list.pointee.cnt) {
            let partition = Int(list.pointee.elems[index].partition)
            if list.pointee.elems[index].offset == Int64(RD_KAFKA_OFFSET_END) {
                list.pointee.elems[index].offset = try watermarkOffsets(partition, client: client).high
            }
            if list.pointee.elems[index].offset >= 0 { nextOffsets[partition] = list.pointee.elems[index].offset }
        }
    }

    /// Sets the records-behind level from librdkafka's cached end of each partition read.
    private func measureRecordsBehind(client: KafkaClient, at now: Double) {
        recordsBehindMeasured = now
        var behind: Int64 = 0
        for (partition, next) in nextOffsets {
            var low: Int64 = 0, high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(client.handle, settings.topic, Int32(partition), &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  high >= 0 else { continue }
            let (gap, overflow) = high.subtractingReportingOverflow(next)
            guard !overflow, gap > 0 else { continue }
            behind = behind.addingReportingOverflow(gap).overflow ? .max : behind + gap
        }
        recordsBehind.set(behind)
    }

    private func watermarkOffsets(_ partition: Int, client: KafkaClient) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let error = rd_kafka_query_watermark_offsets(client.handle, settings.topic, Int32(partition), &low, &high, settings.connection.timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw client.unreachable(String(cString: rd_kafka_err2str(error))) }
        return (low, high)
    }

    /// The end offset of every partition now: a bounded read stops each partition at the first
    /// end of partition it reaches at or after it. The end of partition (which librdkafka reports
    /// from fetch replies) decides, not the offset: a broker may report the end lower than it is
    /// (Tansu 0.6 gives the last batch's first offset).
    private func queryEndOffsets(_ count: Int, client: KafkaClient) throws {
        for partition in 0..<count {
            endOffsets[partition] = try watermarkOffsets(partition, client: client).high
        }
    }

    public func poll(into output: Collector<Tweet>, pacing: ReplayClock?) throws -> SourceStatus {
        guard let queue, let client else { return .finished }
        if pending.isEmpty { take(from: queue, waitingMilliseconds: 0) }
        var counts = (tweets: 0, notTweets: 0, malformed: 0)
        let now = clock.now()
        var held: EventTime?
        var index = 0
        while index < pending.count {
            let message = pending[index]
            let partition = Int(message.pointee.partition)
            let offset = message.pointee.offset
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                index += 1
                defer { rd_kafka_message_destroy(message) }
                if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    nextOffsets[partition] = max(nextOffsets[partition] ?? 0, offset)
                    if let end = endOffsets[partition], offset >= end { watermarks.finish(partition) }
                    continue
                }
                try failIfFatal(message.pointee.err, client: client)
                continue
            }
            let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
            let decoded = decoder.decode(payload)
            if case .tweet(let tweet) = decoded, let pacing, !pacing.admits(tweet.eventTime) {
                held = tweet.eventTime  // kept, with the messages after it, for a later poll
                break
            }
            index += 1
            nextOffsets[partition] = offset + 1
            switch decoded {
            case .tweet(let tweet):
                counts.tweets += 1
                watermarks.record(partition, eventTime: tweet.eventTime.milliseconds, now: now)
                output.emit(tweet)
            case .notTweet, .blank: counts.notTweets += 1
            case .malformed: counts.malformed += 1
            }
            rd_kafka_message_destroy(message)
        }
        pending.removeFirst(index)
        if now - recordsBehindMeasured >= 1 { measureRecordsBehind(client: client, at: now) }
        tweets.add(counts.tweets)
        notTweets.add(counts.notTweets)
        malformed.add(counts.malformed)
        if let watermark = watermarks.advance(now: now) {
            let step = (watermark.milliseconds &+ 1).flooredDivision(by: granularity)
            if step > lastStep {
                lastStep = step
                try output.emit(watermark: watermark)
            }
        }
        if let held { return .waiting(until: held) }
        if settings.bounded && watermarks.partitions.values.allSatisfy(\.finished) { return .finished }
        return index == 0 ? .idle : .ready
    }

    /// Waits for records (up to `seconds`), keeping them for the next poll: returns with the
    /// first one (a batch call would wait for a full batch).
    public func waitForInput(upTo seconds: Double) {
        guard let queue, pending.isEmpty else { return }
        take(from: queue, waitingMilliseconds: Int32(max(1, min(seconds, 0.1) * 1000)), atMost: 1)
    }

    private func take(from queue: OpaquePointer, waitingMilliseconds: Int32, atMost limit: Int = KafkaTweetSource.batchSize) {
        let count = rd_kafka_consume_batch_queue(queue, Int32(waitingMilliseconds), batch, min(limit, Self.batchSize))
        guard count > 0 else { return }
        for index in 0..<count { if let message = batch[index] { pending.append(message) } }
    }

    /// Client errors librdkafka recovers from by itself (a broker down for a while) pass; the
    /// ones that mean the topic or the client is gone stop the job.
    private func failIfFatal(_ error: rd_kafka_resp_err_t, client: KafkaClient) throws {
        let reason = String(cString: rd_kafka_err2str(error))
        switch error {
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            throw FlowError(.missingInput, "the Kafka topic \(settings.topic) at \(settings.connection.brokers) went away while it was read (\(reason)); recreate it and restore the job from its last checkpoint")
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
            throw FlowError(.external, "\(settings.connection) refused the client (\(reason)); check FLOW_KAFKA_USERNAME, FLOW_KAFKA_PASSWORD and the topic's permissions")
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
            throw FlowError(.missingInput, "a checkpointed offset of \(settings.topic) is no longer in the topic (\(reason): the broker deleted those records); restore a newer checkpoint or start without one")
        default:
            if client.isFatal { throw FlowError(.external, "\(settings.connection) failed (\(client.lastError)); restore the job from its last checkpoint") }
        }
    }
}
