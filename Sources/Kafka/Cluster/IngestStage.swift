import CKafka
import Flow
import TweetLog

/// The first stage of a worker: reads the source partitions the group gives it, and sends each
/// tweet's hashtags to the exchange partitions of their key groups, with each source partition's
/// watermark sent in-band to every key group.
///
/// Offsets go to the group only after the records sent so far are delivered, so a worker that
/// takes a partition over resends at most what came after the last commit; the key groups drop
/// those duplicates by source offset (``KeyGroupState``).
final class IngestStage {
    private struct SourcePartition {
        var nextOffset: Int64?
        var maxEventTime = Int64.min
        var lastActivity: Double
        var endOffset: Int64?
        var finished = false
        var lastSent: (watermark: Int64, idle: Bool)?
    }

    private let settings: ClusterSettings
    private let consumer: GroupConsumer
    private let exchange: KafkaProducer
    private let decoder = TweetMessageDecoder()
    private var partitionCount = 0
    /// Tweets taken in this step, per source partition and key group, in offset order.
    private var outgoing: [Destination: [ClusterRecord.TweetTags]] = [:]
    private struct Destination: Hashable {
        var partition: Int
        var keyGroup: Int
    }
    private var partitions: [Int: SourcePartition] = [:]
    private var watermarkInterval = Interval(seconds: 0.1)
    private var commits: Interval
    /// A message that waits for its time (a paced replay), with its tweet's event time.
    private var held: (message: UnsafeMutablePointer<rd_kafka_message_t>, eventTime: Int64)?
    /// Event time and wall time of the first tweet this worker replayed.
    private var paceStart: (eventTime: Int64, wall: Double)?
    private(set) var tweets = 0
    private(set) var setAside = 0

    init(settings: ClusterSettings) throws {
        self.settings = settings
        commits = Interval(seconds: settings.checkpointInterval.seconds)
        consumer = try GroupConsumer(settings: settings, stage: "ingest", topic: settings.source.topic, connection: settings.source.connection,
                                     startAtEnd: settings.source.start == .latest)
        exchange = try KafkaProducer(connection: settings.cluster, topic: settings.exchangeTopic, transactionalID: nil,
                                     partitions: ClusterSettings.keyGroups, transactionTimeout: .seconds(60))
        guard let count = try consumer.client.partitionCount(settings.source.topic) else {
            throw FlowError(.missingInput, "the Kafka topic \(settings.source.topic) does not exist at \(settings.source.connection.brokers); create it (or replay into it with configs/replay-to-kafka.yaml) and run again")
        }
        partitionCount = count
    }

    deinit {
        // A message still held keeps its client alive: rd_kafka_destroy would wait for it forever.
        if let held { rd_kafka_message_destroy(held.message) }
    }

    /// Reads for up to `milliseconds`, then sends watermarks and commits as their intervals say.
    func step(milliseconds: Int32, now: Double) throws {
        try followAssignment(now: now)
        if let held {
            guard admits(held.eventTime) else { return try sendDue(now: now) }
            self.held = nil
            defer { rd_kafka_message_destroy(held.message) }
            _ = try take(held.message, now: now, admitted: true)
        }
        var budget = 4096
        while budget > 0, held == nil, let message = consumer.poll(milliseconds: budget == 4096 ? milliseconds : 0) {
            budget -= 1
            if try !take(message, now: now, admitted: false) { continue }
            rd_kafka_message_destroy(message)
        }
        try sendDue(now: now)
    }

    /// Sends the tweets taken, then watermarks and commits when their intervals have passed.
    private func sendDue(now: Double) throws {
        try sendTweets()
        if watermarkInterval.isDue(now) { try sendWatermarks(now: now) }
        if commits.isDue(now) { try commit() }
    }

    /// Delivers what was sent and commits the offsets read; before leaving the group.
    func stop() throws {
        if let held { rd_kafka_message_destroy(held.message) }
        held = nil
        try sendTweets()
        try commit()
        consumer.close()
    }

    /// Whether a tweet at `eventTime` may go now, at the replay speed.
    private func admits(_ eventTime: Int64) -> Bool {
        guard case .factor(let factor) = settings.speed else { return true }
        let wall = SystemClock.monotonicSeconds()
        guard let paceStart else {
            paceStart = (eventTime, wall)
            return true
        }
        return Double(eventTime - paceStart.eventTime) / 1000 / factor <= wall - paceStart.wall
    }

    private func followAssignment(now: Double, force: Bool = false) throws {
        let (gained, lost) = consumer.checkAssignment(now: now, force: force)
        for partition in lost { partitions[partition] = nil }
        if let held, lost.contains(Int(held.message.pointee.partition)) {
            rd_kafka_message_destroy(held.message)
            self.held = nil
        }
        if gained.contains(where: { $0 >= partitionCount }), let count = try consumer.client.partitionCount(settings.source.topic) {
            partitionCount = max(partitionCount, count)  // partitions added to the topic
        }
        for partition in gained {
            var entry = SourcePartition(lastActivity: now)
            if settings.source.bounded {
                // Where a bounded read of the partition ends: its end now (a broker may report it
                // low; the partition then ends at the first end of partition after it).
                var low: Int64 = 0, high: Int64 = 0
                let error = rd_kafka_query_watermark_offsets(consumer.client.handle, settings.source.topic, Int32(partition), &low, &high,
                                                             settings.source.connection.timeoutMilliseconds)
                guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw consumer.client.unreachable(String(cString: rd_kafka_err2str(error))) }
                entry.endOffset = high
            }
            partitions[partition] = entry
        }
    }

    /// Takes one message; returns false when it is held for a later step (a paced replay), true
    /// when the caller may destroy it.
    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>, now: Double, admitted: Bool) throws -> Bool {
        let partition = Int(message.pointee.partition), offset = message.pointee.offset
        // A partition's first records can come before the assignment check saw it.
        if partitions[partition] == nil { try followAssignment(now: now, force: true) }
        guard partitions[partition] != nil else { return true }
        if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            partitions[partition]!.nextOffset = max(partitions[partition]!.nextOffset ?? 0, offset)
            if let end = partitions[partition]!.endOffset, offset >= end { partitions[partition]!.finished = true }
            return true
        }
        guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if consumer.client.isFatal { throw FlowError(.external, "\(settings.cluster) failed (\(consumer.client.lastError)); restart the worker") }
            return true
        }
        let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
        guard case .tweet(let tweet) = decoder.decode(payload), ClusterRecord.isEventTime(tweet.eventTime.milliseconds) else {
            partitions[partition]!.nextOffset = offset + 1
            setAside += 1
            return true
        }
        let eventTime = tweet.eventTime.milliseconds
        if !admitted && !admits(eventTime) {
            held = (message, eventTime)
            return false
        }
        partitions[partition]!.nextOffset = offset + 1
        partitions[partition]!.lastActivity = now
        tweets += 1
        partitions[partition]!.maxEventTime = max(partitions[partition]!.maxEventTime, eventTime)
        var byGroup: [Int: [String]] = [:]
        for tag in tweet.hashtags {
            byGroup[KeyGroup(of: tag, maxParallelism: ClusterSettings.keyGroups).index, default: []].append(tag.string)
        }
        for (group, tags) in byGroup {
            outgoing[Destination(partition: partition, keyGroup: group), default: []].append(ClusterRecord.TweetTags(offset: offset, eventTime: eventTime, tags: tags))
        }
        return true
    }

    /// Sends the tweets taken since the last call: one record per source partition and key group.
    private func sendTweets() throws {
        for (destination, tweets) in outgoing.sorted(by: { ($0.key.keyGroup, $0.key.partition) < ($1.key.keyGroup, $1.key.partition) }) {
            let record = ClusterRecord.tweets(partition: destination.partition, tweets: tweets)
            try exchange.produce([KafkaRecord(key: [], value: record.bytes, timestamp: tweets[0].eventTime)], partition: Int32(destination.keyGroup))
        }
        outgoing = [:]
    }

    /// Sends each owned partition's watermark (when it changed) to every key group.
    private func sendWatermarks(now: Double) throws {
        let delay = settings.source.outOfOrderness.milliseconds
        for (partition, entry) in partitions.sorted(by: { $0.key < $1.key }) {
            let idle = !entry.finished && settings.source.idleTimeout.map { now - entry.lastActivity >= $0.seconds } == true
            let earliest = -ClusterRecord.eventTimeLimit + 1
            let watermark: Int64
            if entry.finished {
                watermark = .max
            } else if entry.maxEventTime > .min {
                let (value, overflow) = entry.maxEventTime.subtractingReportingOverflow(delay)
                watermark = overflow ? earliest : max(earliest, value)
            } else if idle {
                watermark = earliest  // an empty partition, idle: it must not hold the key groups back
            } else {
                continue
            }
            if let last = entry.lastSent, last.watermark == watermark, last.idle == idle { continue }
            partitions[partition]!.lastSent = (watermark, idle)
            let record = ClusterRecord.watermark(partition: partition, partitions: partitionCount, watermark: watermark, idle: idle)
            let value = record.bytes
            for group in 0..<ClusterSettings.keyGroups {
                try exchange.produce([KafkaRecord(key: [], value: value, timestamp: 0)], partition: Int32(group))
            }
        }
    }

    private func commit() throws {
        try exchange.flush()
        consumer.commit(partitions.compactMapValues(\.nextOffset))
    }
}
