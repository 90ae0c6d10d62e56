import Foundation

/// Writes realistic synthetic Twitter API v1.1 streaming logs (JSON Lines) for
/// tests and benchmarks.
///
/// The output depends only on the configuration: the same seed gives the same
/// bytes on every run and machine. A log holds, in stream order:
/// - tweets (~40% retweets, ~3% quotes, ~5% extended), with Zipf-distributed
///   hashtags in random case and a new trending tag burst every few minutes;
/// - ~3% delete notices, ~0.1% limit notices and ~1 in 10,000 malformed lines
///   (cut off, bad escape or invalid UTF-8), all on top of `tweets`.
///
/// Tweets are up to 3 s out of order by `timestamp_ms`; about 1 in 2,000 is
/// 5–90 s late. Tweet ids are snowflakes of their `timestamp_ms`. Lines end
/// in "\n" for even seeds and "\r\n" for odd seeds.
public struct TweetLogGenerator: Sendable {
    /// What to generate.
    public struct Configuration: Sendable {
        /// Number of tweet lines (notices and malformed lines come on top).
        public var tweets: Int
        /// Seed of the deterministic random generator.
        public var seed: UInt64
        /// Epoch milliseconds of the first tweet (default 2021-01-01T00:00:00Z).
        public var startTime: Int64 = 1_609_459_200_000
        /// Average event-time rate of tweets; must be positive.
        public var tweetsPerSecond: Double = 200
        /// Leaves out the fields no hashtag consumer reads (`source`, reply and place fields,
        /// counts, most of `user`): about 1 KB a tweet instead of 2. Hashtags, times, retweets,
        /// extended tweets, notices and malformed lines are the same.
        public var compact = false

        public init(tweets: Int, seed: UInt64) {
            self.tweets = tweets
            self.seed = seed
        }
    }

    /// What a call to `write(toPath:)` produced.
    public struct Summary: Sendable {
        /// Tweet lines written (equals `Configuration.tweets`).
        public var tweets: Int
        /// `{"delete":…}` lines.
        public var deleteNotices: Int
        /// `{"limit":…}` lines.
        public var limitNotices: Int
        /// Lines that are not valid JSON or not valid UTF-8.
        public var malformedLines: Int
        /// Total bytes written, line endings included.
        public var bytes: Int
    }

    /// An I/O failure while writing a log.
    public struct IOError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var operation: String
        /// The `errno` value.
        public var code: Int32

        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(code)))"
        }
    }

    /// The generator's settings.
    public let configuration: Configuration

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Writes the log to `path` ("-" = standard output). Throws on I/O errors.
    public func write(toPath path: String) throws -> Summary {
        let output = try TweetLogOutput(path: path)
        do {
            let summary = try generate(into: output)
            try output.finish()
            return summary
        } catch {
            try? output.finish()
            throw error
        }
    }

    private static let flushThreshold = 1 << 20

    private func generate(into output: TweetLogOutput) throws -> Summary {
        let seed = configuration.seed
        var renderer = TweetLogRenderer(seed: seed, lineEnding: seed & 1 == 0 ? "\n" : "\r\n", compact: configuration.compact)
        var lineRandom = SeededRandom(seed: seed ^ 0x6C69_6E65_6B69_6E64)
        var clock = TweetEventClock(startMs: configuration.startTime, tweetsPerSecond: configuration.tweetsPerSecond)
        var bursts = TrendingHashtagBursts(
            startMs: configuration.startTime, tagCount: HashtagVocabulary.shared.count, random: &lineRandom)
        var summary = Summary(tweets: 0, deleteNotices: 0, limitNotices: 0, malformedLines: 0, bytes: 0)

        while summary.tweets < configuration.tweets {
            let roll = lineRandom.below(1_000_000)
            if roll < 30_000 {
                renderer.appendDeleteNotice(timeMs: clock.progressMs)
                summary.deleteNotices += 1
            } else if roll < 31_000 {
                renderer.appendLimitNotice(timeMs: clock.progressMs)
                summary.limitNotices += 1
            } else if roll < 31_100 {
                renderer.appendMalformedLine(timeMs: clock.progressMs)
                summary.malformedLines += 1
            } else {
                let timeMs = clock.nextTweetTime(&lineRandom)
                let trending = bursts.trendingTag(atMs: clock.progressMs, random: &lineRandom)
                renderer.appendTweet(timeMs: timeMs, trendingTag: trending)
                summary.tweets += 1
            }
            renderer.endLine()
            if renderer.out.bytes.count >= Self.flushThreshold {
                try output.send(renderer.out.bytes)
                summary.bytes += renderer.out.bytes.count
                renderer.out.bytes.removeAll(keepingCapacity: true)
            }
        }
        try output.send(renderer.out.bytes)
        summary.bytes += renderer.out.bytes.count
        return summary
    }
}
