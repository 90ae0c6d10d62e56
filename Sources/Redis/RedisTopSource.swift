import Flow
import Operators

/// Reads the top N of a Redis sorted set (`ZREVRANGE key 0 N-1 WITHSCORES`, with the set's window
/// end from `<key>:window` in the same transaction): once, or on an interval, emitting the new top
/// N whenever it changes. Each read is emitted as ranked entries (rank 1 = highest score) stamped
/// with the window end (0 when the set has none).
///
/// A score is a count: a member whose score is no whole number in the range of `Int64` (`inf`,
/// `1e300`, `2.5`) is bad data, skipped and counted under ``skippedCounter`` for each top N
/// emitted; the members after it move up a rank.
///
/// Declared state (a split list of one entry): the version it last emitted (window end and a hash
/// of the entries), so a restored poller does not emit the same top N again.
public final class RedisTopSource: Source {
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
    private let clock: any WallClock
    private var connection: RedisConnection?
    private var lastVersion: (windowEnd: Int64, hash: UInt64)?
    /// When the next read is due (wall clock), polling on an interval.
    private var nextRead: Double?
    private let skipped: Counter
    private let entriesRead: Counter

    /// The summary counter of members skipped because their score is no count.
    public static let skippedCounter = "redis members skipped (score not a count)"
    /// The counter of ranked entries emitted.
    public static let entriesCounter = "ranked entries read"

    public init(settings: Settings, context: SubtaskContext, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
        skipped = context.metrics.counter(Self.skippedCounter)
        entriesRead = context.metrics.counter(Self.entriesCounter)
    }

    public var declaredState: [StateDeclaration] { [.splitList("last version")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("last version").first else { return }
        if try reader.readBool() { lastVersion = (try reader.readInt64(), UInt64(bitPattern: try reader.readInt64())) }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(lastVersion != nil)
        if let lastVersion {
            state.write(lastVersion.windowEnd)
            state.write(Int64(bitPattern: lastVersion.hash))
        }
        snapshot.add("last version", state)
        snapshot.position = lastVersion.map { "window \($0.windowEnd)" }
    }

    /// Reads the set when a read is due and emits its top N if it changed; finishes after one
    /// read unless it polls on an interval.
    public func poll(into output: Collector<RankedCount>, pacing: ReplayClock?) throws -> SourceStatus {
        if let nextRead, clock.now() < nextRead { return .idle }
        let (entries, skippedMembers) = try read()
        let version = (windowEnd: entries.first?.windowEnd.milliseconds ?? 0, hash: Self.hash(entries))
        if lastVersion.map({ $0.windowEnd != version.windowEnd || $0.hash != version.hash }) ?? true {
            lastVersion = version
            skipped.add(skippedMembers)
            entriesRead.add(entries.count)
            output.emit(contentsOf: entries)
        }
        guard let interval = settings.pollInterval else { return .finished }
        nextRead = clock.now() + interval.seconds
        return .ready
    }

    /// Between reads on an interval, sleeps until the next is due (the host wakes it at least every
    /// `seconds` for checkpoints and stops), not a millisecond at a time.
    public func waitForInput(upTo seconds: Double) {
        let due = (nextRead ?? clock.now()) - clock.now()
        clock.sleep(seconds: min(seconds, max(due, 0.001)))
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
