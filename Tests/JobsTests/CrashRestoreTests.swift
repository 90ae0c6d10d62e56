import Flow
import FlowTesting
import Foundation
import Jobs
import Testing

/// The trending job killed with SIGKILL at seeded random moments and restarted with
/// `--restore latest` each time: the published output, reject file and late-records file must
/// equal those of one uninterrupted run, byte for byte.
@Suite(.serialized)
struct CrashRestoreTests {
    /// A generated log and the files of an uninterrupted run of it, made once for the suite.
    final class Scenario: Sendable {
        let folder: String
        let log: String
        let expected: [String: Data]

        init() throws {
            folder = try Fixtures.scratchFolder()
            log = folder + "/log.jsonl"
            var configuration = TweetLogGenerator.Configuration(tweets: 350_000, seed: 5)
            configuration.tweetsPerSecond = 50
            _ = try TweetLogGenerator(configuration).write(toPath: log)
            let run = try FlowrunProcess(Self.arguments(log: log, outputs: folder + "/reference", parallelism: 1)
                                         + ["--checkpoint-dir", folder + "/reference-checkpoints"], stderrPath: folder + "/reference.err")
            let result = run.finish()
            guard result.status == 0 else { throw FlowError(.internal, "uninterrupted run failed: \(result.stderr)") }
            let folder = folder
            expected = try Dictionary(uniqueKeysWithValues: Self.outputNames.map { ($0, try Fixtures.read(folder + "/reference-" + $0)) })
        }

        static let outputNames = ["out.csv", "rejects.jsonl", "late.jsonl"]

        static func arguments(log: String, outputs prefix: String, parallelism: Int) -> [String] {
            ["run", "configs/trending-hashtags.yaml", "--quiet", "--parallelism", String(parallelism),
             "-p", "input=\(log)", "-p", "output=\(prefix)-out.csv", "-p", "rejects=\(prefix)-rejects.jsonl", "-p", "late=\(prefix)-late.jsonl"]
        }
    }

    static let scenario = Result { try Scenario() }

    @Test func twentyKillsAtParallelismTwoGiveTheUninterruptedOutput() throws {
        try crashAndRestore(parallelisms: [2], seed: 1, name: "same")
    }

    @Test func twentyKillsRestoredAtChangingParallelismGiveTheUninterruptedOutput() throws {
        try crashAndRestore(parallelisms: [2, 1, 4], seed: 2, name: "rescaled")
    }

    private func crashAndRestore(parallelisms: [Int], seed: UInt64, name: String) throws {
        let scenario = try Self.scenario.get()
        let prefix = scenario.folder + "/" + name
        let checkpoints = prefix + "-checkpoints"
        var random = SplitMix64(seed: seed)
        var kills = 0, restores = 0, attempt = 0
        var finishedEarly: (status: Int32, stderr: String)?
        while kills < 20 {
            let arguments = Scenario.arguments(log: scenario.log, outputs: prefix, parallelism: parallelisms[attempt % parallelisms.count])
                + ["--checkpoint-dir", checkpoints, "--checkpoint-interval", "100ms", "--restore", "latest"]
            let run = try FlowrunProcess(arguments, stderrPath: "\(prefix)-\(attempt).err")
            Thread.sleep(forTimeInterval: Double.random(in: 0.15...0.6, using: &random))
            let killed = run.send(SIGKILL)
            let result = run.finish()
            if result.stderr.contains("restoring checkpoint") { restores += 1 }
            attempt += 1
            guard killed else {
                // A fast machine may finish the log before the twentieth kill: that run is the last.
                finishedEarly = result
                break
            }
            kills += 1
        }
        #expect(kills >= 10, "the job finished after only \(kills) kills; the test needs a longer log")
        let result = try finishedEarly ?? FlowrunProcess(
            Scenario.arguments(log: scenario.log, outputs: prefix, parallelism: parallelisms[attempt % parallelisms.count])
                + ["--checkpoint-dir", checkpoints, "--checkpoint-interval", "100ms", "--restore", "latest"],
            stderrPath: prefix + "-final.err").finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("restoring checkpoint"))
        #expect(restores * 2 >= kills, "only \(restores) of \(kills) restarts found a checkpoint to restore")
        for output in Scenario.outputNames {
            #expect(try Fixtures.read(prefix + "-" + output) == scenario.expected[output], "\(output) differs from the uninterrupted run")
        }
        #expect(!FileManager.default.fileExists(atPath: scenario.folder + "/." + name + "-out.csv.inprogress"))
    }
}
