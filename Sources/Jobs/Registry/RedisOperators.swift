import Flow
import Redis

/// The registry entries and settings of the Redis connectors.
enum RedisOperators {
    static let redisTop = OperatorRegistry.Entry(
        name: "redis-top", summary: "reads the top N of a Redis sorted set once, or polls it and emits the top N when it changes",
        takes: PipelineEnds.start, gives: TrendingKinds.rankedCounts
    ) { _, settings, build in
        var source = RedisTopSource.Settings(endpoint: try endpoint(&settings, key: "url"))
        source.key = settings.string("key", default: "hashtags")
        source.top = try settings.integer("top", default: 20, range: 1...100_000)
        let poll = try settings.duration("poll", default: "0s")
        source.pollInterval = poll.milliseconds > 0 ? poll : nil
        source.retry = try retry(&settings)
        let chosen = source
        let stream = build.job.source("redis top \(chosen.top) of \(chosen.key) at \(chosen.endpoint)", id: build.stepID) { context in
            RedisTopSource(settings: chosen, context: context)
        }
        build.progressCounter = RedisTopSource.entriesCounter
        return stream
    }

    /// The Redis sink's settings from a `sink` step whose `redis` setting is a URL.
    static func sinkSettings(_ url: String, _ settings: inout ResolvedSettings) throws -> RedisTopKSink.Settings {
        var sink = RedisTopKSink.Settings(endpoint: try endpoint(url, &settings))
        sink.key = settings.string("redis-key", default: "hashtags")
        let ttl = try settings.duration("redis-history-ttl", default: "0s")
        sink.historyTTL = ttl.milliseconds > 0 ? ttl : nil
        let channel = settings.string("redis-channel", default: "")
        sink.channel = channel.isEmpty ? nil : channel
        sink.retry = try retry(&settings)
        return sink
    }

    private static func endpoint(_ settings: inout ResolvedSettings, key: String) throws -> RedisEndpoint {
        try endpoint(try settings.requiredString(key), &settings)
    }

    private static func endpoint(_ url: String, _ settings: inout ResolvedSettings) throws -> RedisEndpoint {
        var endpoint: RedisEndpoint
        do {
            endpoint = try RedisEndpoint(url: url)
        } catch let error as FlowError {
            throw FlowError(.invalidJob, error.message, at: settings.location, cause: error)
        }
        endpoint.connectTimeout = try settings.duration("redis-connect-timeout", default: "2s")
        endpoint.commandTimeout = try settings.duration("redis-command-timeout", default: "5s")
        return endpoint
    }

    /// `redis-retries` is the number of attempts in all, `redis-backoff` the first delay.
    private static func retry(_ settings: inout ResolvedSettings) throws -> RetryPolicy {
        var retry = RetryPolicy.redis
        retry.attempts = try settings.integer("redis-retries", default: 8, range: 1...1000)
        retry.firstDelay = try settings.duration("redis-backoff", default: "100ms")
        return retry
    }
}
