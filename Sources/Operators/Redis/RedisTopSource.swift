import Flow

/// Reads the top N of a Redis sorted set (`ZREVRANGE key 0 N-1 WITHSCORES`, with the set's window
/// end from `<key>:window` in the same transaction): once, or on an interval, emitting the new top
/// N whenever it changes. Each read is emitted as ranked entries (rank 1 = highest score) stamped
/// with the window end (0 when the set has none).
///
/// A score is a count: a member whose score is no whole number in the range of `Int64` (`inf`,
/// `1e300`, `2.5`) is bad data, skipped and counted under ``skippedCounter`` for each top N
/// emitted; the members after it move up a rank.
///
/// Checkpointed state: the version it last emitted (window end and a hash of the entries), so a
/// restored poller does not emit the same top N again.
public final class RedisTopSource: SourceRunner {
    public struct Settings: Sendable {
        public var endpoint: RedisEndpoint
        public var key = "hashtags"
        public var top = 20
        /// Poll this often; nil reads once and ends.
        public var pollInterval: Duration?
        public var retry = RetryPolicy.redis

        public init(endpoint: RedisEndpoint) { self.endpoint = endpoint }
    }

    private let settings: Settings
    private let output: Output<RankedCount>
    private let context: SubtaskContext
    private var connection: RedisConnection?
    private var lastVersion: (windowEnd: Int64, hash: UInt64)?
    private let skipped: Counter

    /// The summary counter of members skipped because their score is no count.
    public static let skippedCounter = "redis members skipped (score not a count)"

    public init(settings: Settings, output: Output<RankedCount>, context: SubtaskContext) throws {
        self.settings = settings
        self.output = output
        self.context = context
        skipped = context.metrics.counter(Self.skippedCounter)
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            if try reader.readBool() { lastVersion = (try reader.readInt64(), UInt64(bitPattern: try reader.readInt64())) }
        }
    }

    public func run() throws {
        while true {
            let (entries, skippedMembers) = try read()
            let version = (windowEnd: entries.first?.windowEnd.milliseconds ?? 0, hash: Self.hash(entries))
            if lastVersion.map({ $0.windowEnd != version.windowEnd || $0.hash != version.hash }) ?? true {
                lastVersion = version
                skipped.add(skippedMembers)
                output.emit(contentsOf: entries)
                try output.flush()
            }
            if let barrier = context.checkpoints?.barrierIfDue() {
                var state = StateWriter()
                state.write(lastVersion != nil)
                if let lastVersion {
                    state.write(lastVersion.windowEnd)
                    state.write(Int64(bitPattern: lastVersion.hash))
                }
                context.acknowledge(barrier, shared: state, position: lastVersion.map { "window \($0.windowEnd)" })
                try output.emit(barrier: barrier)
                if barrier.isSavepoint { return }
            }
            guard let interval = settings.pollInterval else { break }
            CurrentThread.sleep(for: min(interval, .seconds(60)))
        }
        try output.emitEndOfInput()
    }

    /// One consistent read of the set and its window end; also how many members were skipped.
    func read() throws -> (entries: [RankedCount], skipped: Int) {
        let reply = try settings.retry.run(connection: &connection, endpoint: settings.endpoint) { redis in
            for command in [["MULTI"], ["ZREVRANGE", settings.key, "0", String(settings.top - 1), "WITHSCORES"], ["GET", settings.key + ":window"], ["EXEC"]] {
                try redis.append(command)
            }
            for _ in 0..<3 { _ = try redis.readReply() }
            return try redis.readReply()
        }
        guard case .array(let results) = reply, results.count == 2, case .array(let flat) = results[0] else {
            throw FlowError(.external, "Redis at \(settings.endpoint) gave no sorted set for \(settings.key) (\(reply)); check that \(settings.key) is a sorted set")
        }
        let windowEnd: Int64 = if case .string(let text) = results[1] { Int64(text) ?? 0 } else { 0 }
        var pairs: [(key: KeyString, score: Int64)] = []
        var skipped = 0
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            guard case .string(let member) = flat[index], case .string(let scoreText) = flat[index + 1],
                  let score = Double(scoreText).flatMap({ Int64(exactly: $0) }) else {
                skipped += 1
                continue
            }
            pairs.append((KeyString(member), score))
        }
        // Redis orders equal scores by member descending; Flow ranks ties by key ascending.
        pairs.sort { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
        let entries = pairs.enumerated().map { RankedCount(windowEnd: EventTime(milliseconds: windowEnd), rank: $0.offset + 1, key: $0.element.key, value: $0.element.score) }
        return (entries, skipped)
    }

    private static func hash(_ entries: [RankedCount]) -> UInt64 {
        StableHash.hash(bytes: entries.map { "\($0.key.string)\u{0}\($0.value)\u{0}" }.joined().utf8)
    }
}
