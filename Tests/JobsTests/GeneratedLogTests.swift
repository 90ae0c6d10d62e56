import Flow
import Foundation
import Jobs
import Testing
import TweetGenerator

/// A generated log (bursts, retweets, extended tweets, late and malformed lines) through Flow at
/// parallelism 1, 2 and 4, against the independent Python reference on the same bytes.
struct GeneratedLogTests {
    @Test func generatorIsDeterministic() throws {
        let folder = try Fixtures.scratchFolder()
        for name in ["a", "b"] {
            _ = try TweetLogGenerator(.init(tweets: 2_000, seed: 7)).write(toPath: "\(folder)/\(name).jsonl")
        }
        #expect(try Fixtures.read(folder + "/a.jsonl") == (try Fixtures.read(folder + "/b.jsonl")))
    }

    @Test func flowMatchesTheReferenceOnAGeneratedLog() throws {
        let folder = try Fixtures.scratchFolder()
        let log = folder + "/generated.jsonl"
        var configuration = TweetLogGenerator.Configuration(tweets: 20_000, seed: 11)
        configuration.tweetsPerSecond = 50
        let summary = try TweetLogGenerator(configuration).write(toPath: log)
        #expect(summary.tweets == 20_000)
        let expected = try Fixtures.trendingReference(log: log, folder: folder)
        for parallelism in [1, 2, 4] {
            let output = try TrendingRun.run(job: Fixtures.trendingJob, input: log, parallelism: parallelism, batchSize: parallelism == 4 ? 13 : 1024)
            #expect(output == expected, "parallelism \(parallelism) differs from the reference")
        }
    }

    /// A compact log holds the same tweets in about half the bytes: the reference finds the same
    /// trends in both, and Flow matches it on the compact one.
    @Test func aCompactLogHoldsTheSameTweets() throws {
        let folder = try Fixtures.scratchFolder()
        var configuration = TweetLogGenerator.Configuration(tweets: 5_000, seed: 3)
        configuration.tweetsPerSecond = 20
        let full = try TweetLogGenerator(configuration).write(toPath: folder + "/full.jsonl")
        configuration.compact = true
        let compact = try TweetLogGenerator(configuration).write(toPath: folder + "/compact.jsonl")
        #expect(compact.bytes * 10 < full.bytes * 6, "compact \(compact.bytes) bytes, full \(full.bytes)")
        #expect(compact.deleteNotices == full.deleteNotices && compact.malformedLines == full.malformedLines)
        let expected = try Fixtures.trendingReference(log: folder + "/full.jsonl", folder: folder)
        #expect(try Fixtures.trendingReference(log: folder + "/compact.jsonl", folder: folder) == expected)
        #expect(try TrendingRun.run(job: Fixtures.trendingJob, input: folder + "/compact.jsonl", parallelism: 2, batchSize: 1024) == expected)
    }

    /// With allowed lateness, windows that take late records fire again: the same rows, updates
    /// included, as the reference at parallelism 1, 2 and 4, for a lateness that is a multiple of
    /// the slide and one that is not.
    @Test(arguments: [60_000, 15_000])
    func allowedLatenessMatchesTheReference(milliseconds: Int) throws {
        let folder = try Fixtures.scratchFolder()
        let log = folder + "/late.jsonl"
        var configuration = TweetLogGenerator.Configuration(tweets: 20_000, seed: 12)
        configuration.tweetsPerSecond = 20
        _ = try TweetLogGenerator(configuration).write(toPath: log)
        let expected = try Fixtures.trendingReference(log: log, folder: folder, extra: ["--lateness-ms", String(milliseconds)])
        let strict = try Fixtures.trendingReference(log: log, folder: folder)
        #expect(expected.count > strict.count, "no window fired again: the log has no late tweets within the lateness")
        for parallelism in [1, 2, 4] {
            let output = try TrendingRun.run(job: Fixtures.trendingJob, input: log, parallelism: parallelism, batchSize: parallelism == 4 ? 7 : 1024,
                                             extra: ["lateness": "\(milliseconds)ms"])
            #expect(output == expected, "parallelism \(parallelism) differs from the reference with lateness \(milliseconds) ms")
        }
    }
}
