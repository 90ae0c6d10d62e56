import Flow
import Foundation
import Kafka
import Operators
import TweetLog

/// The `kafka` step: a source of tweets at the start of a pipeline, a sink of ranked counts
/// (window results) or of tweet lines (a replay) at its end.
enum KafkaOperators {
    static let kafka = OperatorRegistry.Entry(
        name: "kafka",
        summary: "reads tweets from a Kafka topic (watermarks per partition), or writes ranked counts or replayed tweet lines to one, exactly once or at least once",
        variants: [source, rankedCountsSink, tweetLinesSink]
    )

    static let source = OperatorRegistry.Variant(takes: PipelineEnds.start, gives: TrendingKinds.tweets) { _, settings, build in
        let (source, speed) = try sourceSettings(&settings, jobName: build.jobName)
        build.progressCounter = "tweets"
        let paced = speed == .max ? "" : ", replayed at \(speed)"
        return build.job.source("kafka topic \(source.topic) at \(source.connection.brokers)\(paced)", id: build.stepID, speed: speed) { context in
            KafkaTweetSource(settings: source, context: context)
        }
    }

    /// The source's settings and replay speed, as a `kafka` step at the start of a pipeline gives them.
    static func sourceSettings(_ settings: inout ResolvedSettings, jobName: String) throws -> (KafkaTweetSource.Settings, ReplaySpeed) {
        let connection = try connection(&settings)
        let topic = try topicName(&settings)
        var source = KafkaTweetSource.Settings(connection: connection, topic: topic, group: settings.string("group", default: "flow-\(jobName)"))
        let startText = settings.string("start", default: "earliest")
        guard let start = KafkaStart(startText) else {
            throw FlowError(.invalidJob, "kafka start \"\(startText.prefix(40))\" is not a start; write earliest, latest, or a time (milliseconds since 1970, or ISO 8601 such as 2021-01-01T00:00:00Z)", at: settings.location)
        }
        source.start = start
        let format = settings.string("format", default: "tweet-json")
        guard format == "tweet-json" else {
            throw FlowError(.invalidJob, "kafka format \"\(format.prefix(40))\" is unknown; the only format is tweet-json (one tweet's JSON per record)", at: settings.location)
        }
        source.outOfOrderness = try settings.duration("out-of-orderness", default: "5s")
        let idle = try settings.duration("idle-timeout", default: "0s")
        source.idleTimeout = idle.milliseconds > 0 ? idle : nil
        let until = settings.string("until", default: "never")
        guard until == "never" || until == "latest" else {
            throw FlowError(.invalidJob, "kafka until \"\(until.prefix(40))\" is unknown; write never (run until stopped) or latest (stop at the end the topic has at the start)", at: settings.location)
        }
        source.bounded = until == "latest"
        let speedText = settings.string("speed", default: "max")
        guard let speed = ReplaySpeed(speedText) else {
            throw FlowError(.invalidJob, "kafka speed \"\(speedText.prefix(40))\" is not a speed; write max, realtime, or a factor such as 60x", at: settings.location)
        }
        return (source, speed)
    }

    static let rankedCountsSink = OperatorRegistry.Variant(takes: TrendingKinds.rankedCounts, gives: PipelineEnds.finished) { ranked, settings, build in
        let key = settings.string("key", default: "hashtag")
        guard key == "hashtag" else {
            throw FlowError(.invalidJob, "kafka key \"\(key.prefix(40))\" is not a field of window results; write key: hashtag", at: settings.location)
        }
        let sink = try sinkSettings(&settings, transactionalIDStem: "flow-\(build.jobName)-\(build.stepID)", defaultPartitions: 1)
        ranked.sink("kafka topic \(sink.topic) at \(sink.connection.brokers), \(sink.delivery.rawValue)", id: build.stepID) { context in
            KafkaSink<RankedCount>(settings: sink, context: context) { batch in
                batch.map { result in
                    KafkaRecord(key: Array(result.key.string.utf8), value: Array(RankedCountFormat.jsonl.line(result, keyColumn: "hashtag").utf8.dropLast()),
                                timestamp: result.windowEnd.milliseconds)
                }
            }
        }
    }

    static let tweetLinesSink = OperatorRegistry.Variant(takes: TrendingKinds.tweetLines, gives: PipelineEnds.finished) { lines, settings, build in
        let key = settings.string("key", default: "tweet-id")
        guard key == "tweet-id" else {
            throw FlowError(.invalidJob, "kafka key \"\(key.prefix(40))\" is not a field of tweet lines; write key: tweet-id", at: settings.location)
        }
        let sink = try sinkSettings(&settings, transactionalIDStem: "flow-\(build.jobName)-\(build.stepID)", defaultPartitions: 4)
        build.progressCounter = "kafka records produced"
        lines.sink("kafka topic \(sink.topic) at \(sink.connection.brokers), \(sink.delivery.rawValue), keyed by tweet id", id: build.stepID) { context in
            KafkaSink<LineChunk>(settings: sink, context: context) { chunks in TweetLineRecords.records(chunks) }
        }
    }

    static func sinkSettings(_ settings: inout ResolvedSettings, transactionalIDStem: String, defaultPartitions: Int) throws -> KafkaSinkSettings {
        let connection = try connection(&settings)
        let topic = try topicName(&settings)
        var sink = KafkaSinkSettings(connection: connection, topic: topic,
                                             transactionalIDStem: settings.string("transactional-id", default: transactionalIDStem))
        let delivery = settings.string("delivery", default: KafkaDelivery.exactlyOnce.rawValue)
        guard let chosen = KafkaDelivery(rawValue: delivery) else {
            throw FlowError(.invalidJob, "kafka delivery \"\(delivery.prefix(40))\" is unknown; write exactly-once or at-least-once", at: settings.location)
        }
        sink.delivery = chosen
        sink.partitions = try settings.integer("partitions", default: defaultPartitions, range: 1...10_000)
        sink.transactionTimeout = try settings.duration("transaction-timeout", default: "60s")
        return sink
    }

    static func connection(_ settings: inout ResolvedSettings) throws -> KafkaConnection {
        do {
            return try KafkaConnection(brokers: try settings.requiredString("brokers"), environment: ProcessInfo.processInfo.environment)
        } catch let error as FlowError {
            throw FlowError(error.code, error.message, at: settings.location, cause: error)
        }
    }

    /// Kafka's rule: 1 to 249 of letters, digits, `.`, `_` and `-`, and not `.` or `..`.
    private static func topicName(_ settings: inout ResolvedSettings) throws -> String {
        let topic = try settings.requiredString("topic")
        let allowed = topic.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed, (1...249).contains(topic.utf8.count), topic != ".", topic != ".." else {
            throw FlowError(.invalidJob, "kafka topic \"\(topic.prefix(60))\" is not a Kafka topic name; use 1 to 249 letters, digits, '.', '_' and '-'", at: settings.location)
        }
        return topic
    }
}
