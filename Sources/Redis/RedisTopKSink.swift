import Flow
import Operators

/// Publishes each fired window's top K to a Redis sorted set, replacing the set atomically
/// (`MULTI`, `DEL`, `ZADD`, `EXEC`): a reader never sees a mix of two windows, and no hashtag of
/// an older window survives. Optionally keeps each window under `<key>:<window_end_ms>` with a
/// TTL and announces it on a channel (`PUBLISH`). `<key>:window` holds the window end of the set.
///
/// Windows are pipelined: they are sent in groups (up to 64, or what fired within 50 ms), with one
/// round trip per group, and kept until
/// Redis confirms them, so a lost connection (retried with backoff) loses no window. At each
/// checkpoint everything before it is confirmed; a replay after a restore rewrites the same
/// windows, which is idempotent. It keeps no state.
public final class RedisTopKSink: Sink {
    /// How the sink writes.
    public struct Settings: Sendable {
        public var endpoint: RedisEndpoint
        public var key = "hashtags"
        /// Keep each window as `<key>:<window_end_ms>` for this long (nil: no history).
        public var historyTTL: Duration?
        /// Channel to `PUBLISH` each window end on (nil: none).
        public var channel: String?
        /// Windows sent per round trip, at most.
        public var windowsPerRoundTrip = 64
        /// How long a fired window may wait for others to share its round trip.
        public var maximumDelay: Duration = .milliseconds(50)
        public var retry = RetryPolicy.redis

        public init(endpoint: RedisEndpoint) { self.endpoint = endpoint }
    }

    private let settings: Settings
    private var connection: RedisConnection?
    /// The window being received, then the windows waiting for Redis to confirm them.
    private var current: (end: Int64, entries: [RankedCount])?
    private var unconfirmed: [(end: Int64, entries: [RankedCount])] = []
    private let published: Counter
    private let retried: Counter
    private let clock: any WallClock
    /// When the oldest unconfirmed window was fired (wall clock).
    private var oldestWaitingSince: Double?

    public init(settings: Settings, context: SubtaskContext, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
        published = context.metrics.counter("windows published")
        retried = context.metrics.counter("redis retries")
    }

    public func open() throws {
        connection = try settings.retry.run(connection: &connection, endpoint: settings.endpoint, countingRetriesIn: retried) { $0 }
    }

    public func process(_ batch: [RankedCount], into output: Collector<Never>) { take(batch) }

    /// Publishes `results` (whole windows, in order) and waits for Redis to confirm them: for a
    /// writer outside a job's graph (a cluster's merge).
    public func publish(_ results: [RankedCount]) throws {
        take(results)
        if let open = current { close(open) }
        try send()
    }

    private func take(_ batch: [RankedCount]) {
        for entry in batch {
            if let open = current, open.end != entry.windowEnd.milliseconds { close(open) }
            if current == nil { current = (entry.windowEnd.milliseconds, []) }
            current!.entries.append(entry)
        }
    }

    /// Closes the connection (a writer outside a job's graph, at its end).
    public func close() { connection?.close() }

    /// The top-K merge emits a window's ranks together, before the watermark that completed it.
    public func onWatermark(_ watermark: EventTime, into output: Collector<Never>) throws {
        if let open = current, open.end - 1 <= watermark.milliseconds { close(open) }
        if unconfirmed.count >= settings.windowsPerRoundTrip { try send() }
        if let since = oldestWaitingSince, clock.now() - since >= settings.maximumDelay.seconds { try send() }
    }

    /// Windows do not wait longer than the job's buffer timeout for company.
    public func onBufferTimeout() throws { try send() }

    /// Everything before a checkpoint is confirmed by Redis before the checkpoint completes.
    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        if let open = current { close(open) }
        try send()
    }

    public func onEndOfInput(into output: Collector<Never>) throws {
        if let open = current { close(open) }
        try send()
        connection?.close()
    }

    private func close(_ window: (end: Int64, entries: [RankedCount])) {
        if unconfirmed.isEmpty { oldestWaitingSince = clock.now() }
        unconfirmed.append(window)
        current = nil
    }

    /// Sends every unconfirmed window, one transaction each, in one round trip; retries on a
    /// lost connection.
    private func send() throws {
        guard !unconfirmed.isEmpty else { return }
        let commands = unconfirmed.map(transaction(for:))
        try settings.retry.run(connection: &connection, endpoint: settings.endpoint, countingRetriesIn: retried) { redis in
            for transaction in commands { for command in transaction { try redis.append(command) } }
            for (index, transaction) in commands.enumerated() {
                for _ in 0..<(transaction.count - 1) { _ = try redis.readReply() }
                let result = try redis.readReply()
                guard case .array(let results) = result, !results.contains(where: { if case .error = $0 { true } else { false } }) else {
                    throw FlowError(.external, "Redis at \(settings.endpoint) did not apply window \(unconfirmed[index].end) (\(result)); check the key \(settings.key) and the user's permissions")
                }
            }
        }
        published.add(unconfirmed.count)
        unconfirmed.removeAll()
        oldestWaitingSince = nil
    }

    private func transaction(for window: (end: Int64, entries: [RankedCount])) -> [[String]] {
        let members = window.entries.flatMap { [String($0.value), $0.key.string] }
        var commands: [[String]] = [["MULTI"], ["DEL", settings.key], ["ZADD", settings.key] + members, ["SET", settings.key + ":window", String(window.end)]]
        if let ttl = settings.historyTTL {
            let historyKey = "\(settings.key):\(window.end)"
            commands += [["DEL", historyKey], ["ZADD", historyKey] + members, ["PEXPIRE", historyKey, String(ttl.milliseconds)]]
        }
        if let channel = settings.channel { commands.append(["PUBLISH", channel, String(window.end)]) }
        commands.append(["EXEC"])
        return commands
    }
}
