import Flow
import Foundation
import Kafka
import Operators
import Redis

/// A job file as the stages of a cluster worker: the pipeline must be the trending shape,
/// `kafka` (tweets) → `hashtags` → `key-by: hashtag` → `window` (sliding or tumbling) → `count`
/// → `top-k` → `kafka` (ranked counts) or `sink: {redis: URL}`, the shape whose keyed part the
/// workers share.
public enum ClusterPlan {
    private static let shape = ["kafka", "hashtags", "key-by", "window", "count", "top-k"]
    private static let shapeText = "kafka → hashtags → key-by → window → count → top-k → kafka (or sink with redis:)"

    /// The settings of one worker of `file`, joining the job at `cluster` (`kafka://HOST:PORT[,…]`).
    public static func settings(for file: JobFile, builder: JobBuilder, cluster: String, workerID: String) throws -> ClusterSettings {
        let names = file.steps.map(\.operatorName)
        guard names.count == shape.count + 1, Array(names.prefix(shape.count)) == shape, ["kafka", "sink"].contains(names.last) else {
            throw FlowError(.invalidJob, "\(file.path): --cluster runs pipelines of the shape \(shapeText) (the trending job read from Kafka); this pipeline is \(names.joined(separator: " → ")); run it without --cluster")
        }
        guard ClusterPlan.isWorkerID(workerID) else {
            throw FlowError(.invalidJob, "--worker-id \"\(workerID.prefix(40))\" must be 1 to 100 letters, digits, '-', '_' or '.'; the pod name of a StatefulSet is one")
        }
        let parameters = try builder.resolveParameters(file)
        var steps = try file.steps.map { try ResolvedSettings(step: $0, parameters: parameters) }
        for index in steps.indices { _ = steps[index].string("id") }
        let (source, speed) = try KafkaOperators.sourceSettings(&steps[0], jobName: file.name)
        if case .timestamp = source.start {
            throw FlowError(.invalidJob, "a cluster worker starts at earliest or latest; a start time needs a single process (its first run then commits offsets)", at: steps[0].location)
        }
        let field = steps[2].string("", default: "hashtag")
        guard field == "hashtag" else { throw FlowError(.invalidJob, "key-by \"\(field)\" is not a field of hashtags; write key-by: hashtag", at: steps[2].location) }
        let window = try windowSpec(&steps[3])
        let k = try steps[5].integer("k", default: 20, range: 1...10_000)
        let output = try output(&steps[6], isKafka: names.last == "kafka")
        for step in steps { try step.checkAllUsed() }

        let connection = try clusterConnection(cluster)
        let checkpoints = try builder.checkpointing.settings(for: file, parameters: parameters)
        let folder = (checkpoints?.directory ?? "checkpoints/\(file.name)") + "/cluster"
        let interval = checkpoints?.interval ?? .seconds(10)
        var settings = ClusterSettings(jobName: file.name, workerID: workerID, cluster: connection, source: source, window: window, k: k, output: output,
                                       checkpointFolder: folder, checkpointInterval: interval)
        settings.speed = speed
        return settings
    }

    /// The merge's output: a Kafka topic (`kafka` step) or a Redis sorted set (`sink: {redis: URL}`).
    private static func output(_ settings: inout ResolvedSettings, isKafka: Bool) throws -> ClusterSettings.Output {
        if isKafka {
            let key = settings.string("key", default: "hashtag")
            guard key == "hashtag" else { throw FlowError(.invalidJob, "kafka key \"\(key.prefix(40))\" is not a field of window results; write key: hashtag", at: settings.location) }
            return .kafka(try KafkaOperators.sinkSettings(&settings, transactionalIDStem: "unused", defaultPartitions: 1))
        }
        let redis = settings.string("redis", default: "")
        guard !redis.isEmpty, settings.string("path", default: "-") == "-" else {
            throw FlowError(.invalidJob, "a cluster job writes its window results to Kafka (a kafka step) or to Redis (sink: {redis: URL}), not to a file or the console; change the sink or run without --cluster", at: settings.location)
        }
        let redisSettings = try RedisOperators.sinkSettings(redis, &settings)
        return .other(description: "redis sorted set \(redisSettings.key) at \(redisSettings.endpoint)") {
            try RedisClusterResults(settings: redisSettings, metrics: JobMetrics())
        }
    }

    private static func windowSpec(_ settings: inout ResolvedSettings) throws -> WindowSpec {
        let type = settings.string("type", default: "sliding")
        guard type == "sliding" || type == "tumbling" else {
            throw FlowError(.invalidJob, "a cluster job's windows are sliding or tumbling (the top K ranks tags of windows they all share); \(type.prefix(20)) windows need a single process", at: settings.location)
        }
        guard settings.string("late-records") == nil, settings.string("allowed-lateness") == nil else {
            throw FlowError(.invalidJob, "a cluster job counts late records and sets them aside; drop late-records and allowed-lateness, or run without --cluster", at: settings.location)
        }
        let size = try settings.duration("size", default: "30m")
        let slide = type == "tumbling" ? size : try settings.duration("slide", default: "10s")
        do {
            return try WindowSpec(size: size, slide: slide)
        } catch let error as FlowError {
            throw FlowError(.invalidJob, error.message, at: settings.location, cause: error)
        }
    }

    /// `kafka://HOST:PORT[,HOST:PORT…]`: the brokers that carry the job between its workers.
    static func clusterConnection(_ text: String) throws -> KafkaConnection {
        guard text.hasPrefix("kafka://"), text.count > 8 else {
            throw FlowError(.invalidJob, "--cluster \(text.prefix(60)) is not kafka://HOST:PORT[,HOST:PORT…]; name the brokers that carry the job")
        }
        return try KafkaConnection(brokers: String(text.dropFirst(8)), environment: ProcessInfo.processInfo.environment)
    }

    static func isWorkerID(_ text: String) -> Bool {
        (1...100).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}
