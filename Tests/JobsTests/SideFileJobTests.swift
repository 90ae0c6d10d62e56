import Flow
import Foundation
import Jobs
import Testing
import TweetGenerator

/// The reject and late-record files of a whole job: the same bytes at every parallelism and batch
/// size, and no part left beside them.
struct SideFileJobTests {
    @Test func sideFilesAreTheSameAtParallelismOneTwoAndFour() throws {
        let folder = try Fixtures.scratchFolder()
        let log = folder + "/generated.jsonl"
        var configuration = TweetLogGenerator.Configuration(tweets: 50_000, seed: 21)
        configuration.tweetsPerSecond = 50
        _ = try TweetLogGenerator(configuration).write(toPath: log)
        var files: [[Data]] = []
        for parallelism in [1, 2, 4] {
            let prefix = "\(folder)/p\(parallelism)-"
            _ = try TrendingRun.run(job: Fixtures.trendingJob, input: log, parallelism: parallelism, batchSize: parallelism == 4 ? 13 : 1024,
                                    extra: ["rejects": prefix + "rejects.jsonl", "late": prefix + "late.jsonl", "chunk-bytes": "65536"])
            files.append([try Fixtures.read(prefix + "rejects.jsonl"), try Fixtures.read(prefix + "late.jsonl")])
        }
        #expect(files[0].allSatisfy { !$0.isEmpty }, "the generated log gave no rejects or no late records: \(files[0].map(\.count)) bytes")
        #expect(files[1] == files[0] && files[2] == files[0])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".part") || $0.contains(".run-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
