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

    /// Decoders reading 4 KiB segments of a plain log in parallel (lines cut anywhere, malformed
    /// ones numbered from the counts the decoders share) write the output, reject file and
    /// late-records file that one reader of a gzip copy writes, lines read and numbered in order.
    @Test func segmentsReadInParallelNumberLinesAsOneReaderDoes() throws {
        let folder = try Fixtures.scratchFolder()
        let log = folder + "/log.jsonl"
        var configuration = TweetLogGenerator.Configuration(tweets: 4_000, seed: 13)
        configuration.tweetsPerSecond = 20
        _ = try TweetLogGenerator(configuration).write(toPath: log)
        // Every 50th line cut short: malformed lines in most segments.
        var lines = try Fixtures.read(log).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for index in stride(from: 7, to: lines.count, by: 50) { lines[index] = lines[index].prefix(lines[index].count / 2) }
        try Data(lines.joined(separator: [UInt8(ascii: "\n")])).write(to: URL(fileURLWithPath: log))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        gzip.arguments = ["-k", log]
        try gzip.run()
        gzip.waitUntilExit()
        func files(input: String, parallelism: Int, chunkBytes: Int) throws -> [Data] {
            let prefix = "\(folder)/p\(parallelism)-\(chunkBytes)\(input.hasSuffix(".gz") ? "-gz" : "")"
            let output = try TrendingRun.run(job: Fixtures.trendingJob, input: input, parallelism: parallelism,
                                             extra: ["rejects": prefix + "-rejects.jsonl", "late": prefix + "-late.jsonl", "chunk-bytes": "\(chunkBytes)"])
            // The reject file names the file read: the same name for both.
            let rejects = try String(decoding: Fixtures.read(prefix + "-rejects.jsonl"), as: UTF8.self).replacingOccurrences(of: "log.jsonl.gz", with: "log.jsonl")
            return [output, Data(rejects.utf8), try Fixtures.read(prefix + "-late.jsonl")]
        }
        let expected = try files(input: log + ".gz", parallelism: 1, chunkBytes: 1 << 20)
        #expect(expected.allSatisfy { !$0.isEmpty })
        #expect(expected[1].count { $0 == UInt8(ascii: "\n") } >= 80, "the reject file misses lines cut short")
        for parallelism in [1, 3] {
            #expect(try files(input: log, parallelism: parallelism, chunkBytes: 4096) == expected, "parallelism \(parallelism)")
        }
    }
}
