import Flow
import Foundation
import Jobs
import Testing

/// The trending job against golden outputs made by the independent Python reference
/// (Tests/Fixtures/reference/trending_reference.py), at several parallelisms and batch sizes.
struct TrendingGoldenTests {
    static let fixtures: [(log: String, golden: String)] = [
        ("edge_cases.jsonl", "edge_cases.csv"),
        ("twitter_v1_insight_challenge_2015_sample.jsonl", "twitter_v1_insight_challenge_2015_sample.csv"),
        ("twitter_v1_insight_2015.jsonl.gz", "twitter_v1_insight_2015.csv"),
        ("twitter_v1_2021_head.jsonl.zst", "twitter_v1_2021_head.csv"),
        ("twitter_v2_search_sample.jsonl", "twitter_v2_search_sample.csv"),
        ("twitter_v2_filtered_stream_sample.jsonl", "twitter_v2_filtered_stream_sample.csv"),
    ]

    static let cases: [(Int, Int)] = [(1, 1024), (2, 1024), (4, 1024), (2, 1), (4, 7)]

    @Test(arguments: cases)
    func matchesTheReferenceOnEveryFixture(parallelism: Int, batchSize: Int) throws {
        for fixture in Self.fixtures {
            let output = try TrendingRun.run(job: Fixtures.trendingJob, input: Fixtures.path("Tests/Fixtures/tweets/\(fixture.log)"),
                                             parallelism: parallelism, batchSize: batchSize)
            let golden = try Fixtures.read(Fixtures.path("Tests/Fixtures/golden/\(fixture.golden)"))
            #expect(output == golden, "\(fixture.log) at parallelism \(parallelism), batch size \(batchSize) differs from its golden file")
        }
    }

    @Test(arguments: [1, 2, 4])
    func smallWindowsMatchTheReference(parallelism: Int) throws {
        let output = try TrendingRun.run(job: Fixtures.path("Tests/Fixtures/jobs/small-windows.yaml"),
                                         input: Fixtures.path("Tests/Fixtures/tweets/edge_cases.jsonl"), parallelism: parallelism)
        #expect(output == (try Fixtures.read(Fixtures.path("Tests/Fixtures/golden/edge_cases.small-windows.csv"))))
    }

    @Test func directoryInputReadsFilesInNameOrder() throws {
        let folder = try Fixtures.scratchFolder()
        let source = try Fixtures.read(Fixtures.path("Tests/Fixtures/tweets/edge_cases.jsonl"))
        let lines = source.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let half = lines.count / 2
        try Data(lines[..<half].joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]).write(to: URL(fileURLWithPath: folder + "/part-1.jsonl"))
        try Data(lines[half...].joined(separator: [UInt8(ascii: "\n")])).write(to: URL(fileURLWithPath: folder + "/part-2.jsonl"))
        let output = try TrendingRun.run(job: Fixtures.trendingJob, input: folder, parallelism: 2)
        #expect(output == (try Fixtures.read(Fixtures.path("Tests/Fixtures/golden/edge_cases.csv"))))
    }

    @Test func rejectFileListsMalformedLinesWithLineNumbers() throws {
        let folder = try Fixtures.scratchFolder()
        _ = try TrendingRun.run(job: Fixtures.trendingJob, input: Fixtures.path("Tests/Fixtures/tweets/edge_cases.jsonl"),
                                parallelism: 2, extra: ["rejects": folder + "/rejects.jsonl", "late": folder + "/late.jsonl"])
        let rejects = try String(contentsOfFile: folder + "/rejects.jsonl", encoding: .utf8).split(separator: "\n")
        let summary = try String(contentsOfFile: Fixtures.path("Tests/Fixtures/golden/SUMMARIES.md"), encoding: .utf8)
        let expectedMalformed = try #require(TrendingRun.summaryCount(summary, fixture: "edge_cases.csv", column: 5))
        #expect(rejects.count == expectedMalformed)
        #expect(rejects.allSatisfy { $0.contains("\"line\":") && $0.contains("\"reason\":") })
        let late = try String(contentsOfFile: folder + "/late.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(late.count == (try #require(TrendingRun.summaryCount(summary, fixture: "edge_cases.csv", column: 8))))
    }
}

/// Runs a trending job file through the same code path as `flowrun run` and returns its output.
enum TrendingRun {
    static func run(job: String, input: String, parallelism: Int, batchSize: Int = 1024, extra: [String: String] = [:]) throws -> Data {
        let folder = try Fixtures.scratchFolder()
        let output = folder + "/out.csv"
        var builder = JobBuilder()
        // Tests run at once in one process: each needs its own checkpoint folder, whose lock it holds.
        builder.checkpointing.directory = folder + "/checkpoints"
        builder.parallelism = parallelism
        builder.batchSize = batchSize
        builder.overrides = ["input": input, "output": output].merging(extra) { $1 }
        try builder.build(try JobFileParser.parse(path: job)).run()
        return try Fixtures.read(output)
    }

    /// A count from the reference's SUMMARIES.md table: the row starting with `fixture`.
    static func summaryCount(_ table: String, fixture: String, column: Int) -> Int? {
        for line in table.split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == fixture, column < cells.count { return Int(cells[column]) }
        }
        return nil
    }
}

/// Session windows and every-count output through the whole job: the same bytes at every
/// parallelism, and each tag's counts adding up to its hashtags in the log.
struct SessionJobTests {
    @Test func sessionCountsAreIdenticalAtEveryParallelism() throws {
        let job = Fixtures.path("Tests/Fixtures/jobs/session-counts.yaml")
        let input = Fixtures.path("Tests/Fixtures/tweets/twitter_v1_2021_head.jsonl.zst")
        let outputs = try [1, 2, 4].map { try TrendingRun.run(job: job, input: input, parallelism: $0) }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
        let lines = String(decoding: outputs[0], as: UTF8.self).split(separator: "\n").dropFirst()
        let total = lines.reduce(0) { $0 + Int($1.split(separator: ",").last!)! }
        let summary = try String(contentsOfFile: Fixtures.path("Tests/Fixtures/golden/SUMMARIES.md"), encoding: .utf8)
        // The log is in order within 5 s, so no record is late and every hashtag is in one session.
        #expect(total == (try #require(TrendingRun.summaryCount(summary, fixture: "twitter_v1_2021_head.csv", column: 7))))
    }
}
