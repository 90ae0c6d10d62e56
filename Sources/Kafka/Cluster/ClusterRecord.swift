import Flow

/// What workers send each other through the job's topics, encoded with Flow's checked state
/// coding: a record from a peer (or from anyone who can write the topic) that is damaged or
/// impossible decodes to nil and is counted and set aside, never trusted.
package enum ClusterRecord: Equatable {
    /// Tweets read from source `partition`, in offset order, each with its hashtags that fall into
    /// the key group the record is sent to.
    case tweets(partition: Int, tweets: [TweetTags])
    /// Source `partition` (one of `partitions`) reached `watermark`; `Int64.max` once it is
    /// finished. An idle partition stops holding event time back until it sends again.
    case watermark(partition: Int, partitions: Int, watermark: Int64, idle: Bool)
    /// A key group's `k` largest counts of the window ending at `windowEnd`.
    case candidates(keyGroup: Int, windowEnd: Int64, entries: [Candidate])
    /// A key group's watermark: it has sent every window ending at or before `watermark` + 1.
    case progress(keyGroup: Int, watermark: Int64)
    /// The job reached the end of its (bounded) input and wrote its last result.
    case finished

    package struct TweetTags: Equatable {
        package var offset: Int64
        package var eventTime: Int64
        package var tags: [String]

        package init(offset: Int64, eventTime: Int64, tags: [String]) {
            self.offset = offset
            self.eventTime = eventTime
            self.tags = tags
        }
    }

    /// One tweet's hashtags, read at `offset` of source `partition`.
    package static func hashtags(partition: Int, offset: Int64, eventTime: Int64, tags: [String]) -> ClusterRecord {
        .tweets(partition: partition, tweets: [TweetTags(offset: offset, eventTime: eventTime, tags: tags)])
    }

    package struct Candidate: Equatable {
        package var tag: String
        package var count: Int64

        package init(tag: String, count: Int64) {
            self.tag = tag
            self.count = count
        }
    }

    /// The most source partitions a job may read.
    static let maximumPartitions = 1_000_000
    /// Event times outside ±2^53 ms (±285,000 years) are impossible and rejected, so window
    /// arithmetic on them cannot overflow.
    static let eventTimeLimit: Int64 = 1 << 53

    package var bytes: [UInt8] {
        var writer = StateWriter()
        switch self {
        case .tweets(let partition, let tweets):
            writer.write(1)
            writer.write(partition)
            writer.write(tweets.count)
            for tweet in tweets {
                writer.write(tweet.offset)
                writer.write(tweet.eventTime)
                writer.write(tweet.tags.count)
                for tag in tweet.tags { writer.write(tag) }
            }
        case .watermark(let partition, let partitions, let watermark, let idle):
            writer.write(2)
            writer.write(partition)
            writer.write(partitions)
            writer.write(watermark)
            writer.write(idle)
        case .candidates(let keyGroup, let windowEnd, let entries):
            writer.write(3)
            writer.write(keyGroup)
            writer.write(windowEnd)
            writer.write(entries.count)
            for entry in entries {
                writer.write(entry.tag)
                writer.write(entry.count)
            }
        case .progress(let keyGroup, let watermark):
            writer.write(4)
            writer.write(keyGroup)
            writer.write(watermark)
        case .finished:
            writer.write(5)
        }
        return writer.bytes
    }

    /// The record `bytes` hold, or nil when they hold none (damaged, impossible or foreign).
    package init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var reader = StateReader(Array(bytes))
        guard let record = try? Self.read(&reader), reader.isAtEnd else { return nil }
        self = record
    }

    private static func read(_ reader: inout StateReader) throws -> ClusterRecord? {
        switch try reader.readInt64() {
        case 1:
            let partition = try reader.readInt()
            var tweets: [TweetTags] = []
            var lastOffset: Int64 = -1
            for _ in 0..<(try reader.readCount()) {
                let offset = try reader.readInt64(), eventTime = try reader.readInt64()
                var tags: [String] = []
                for _ in 0..<(try reader.readCount()) { tags.append(try reader.readString()) }
                guard offset > lastOffset, isEventTime(eventTime), !tags.isEmpty else { return nil }
                lastOffset = offset
                tweets.append(TweetTags(offset: offset, eventTime: eventTime, tags: tags))
            }
            guard isPartition(partition), !tweets.isEmpty else { return nil }
            return .tweets(partition: partition, tweets: tweets)
        case 2:
            let partition = try reader.readInt(), partitions = try reader.readInt(), watermark = try reader.readInt64(), idle = try reader.readBool()
            guard isPartition(partition), partition < partitions, partitions <= maximumPartitions,
                  watermark == .max || isEventTime(watermark) else { return nil }
            return .watermark(partition: partition, partitions: partitions, watermark: watermark, idle: idle)
        case 3:
            let keyGroup = try reader.readInt(), windowEnd = try reader.readInt64()
            let count = try reader.readCount()
            var entries: [Candidate] = []
            for _ in 0..<count { entries.append(Candidate(tag: try reader.readString(), count: try reader.readInt64())) }
            guard isKeyGroup(keyGroup), isEventTime(windowEnd), entries.allSatisfy({ $0.count > 0 && $0.count <= StateReader.maximumCounter }) else { return nil }
            return .candidates(keyGroup: keyGroup, windowEnd: windowEnd, entries: entries)
        case 4:
            let keyGroup = try reader.readInt(), watermark = try reader.readInt64()
            guard isKeyGroup(keyGroup), watermark == .max || isEventTime(watermark) else { return nil }
            return .progress(keyGroup: keyGroup, watermark: watermark)
        case 5:
            return .finished
        default:
            return nil
        }
    }

    /// Whether `value` lies within ±``eventTimeLimit`` (a check `abs` cannot make: it traps on `Int64.min`).
    static func isEventTime(_ value: Int64) -> Bool { value > -eventTimeLimit && value < eventTimeLimit }

    private static func isPartition(_ value: Int) -> Bool { (0..<maximumPartitions).contains(value) }
    private static func isKeyGroup(_ value: Int) -> Bool { (0..<ClusterSettings.keyGroups).contains(value) }
}
