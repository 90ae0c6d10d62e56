import Flow
import FlowTesting
import Foundation
import Jobs
import Testing
import TweetGenerator

/// The trending job killed with SIGKILL at seeded random moments and restarted with
/// `--restore latest` each time: the published output, reject file and late-records file must
/// equal those of one uninterrupted run, byte for byte.
///
/// Nothing here depends on the machine's speed: each run is killed only after it has completed a
/// checkpoint of its own (the test watches the checkpoint folder), and the crashed runs replay at
/// a fixed pace (`speed`), so twenty runs cover a fraction of the log however fast the job is.
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
            var configuration = TweetLogGenerator.Configuration(tweets: 200_000, seed: 5)
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

    /// 200,000 tweets at 50 a second are 4,000 s of event time: at 100× a whole replay takes 40 s
    /// of wall time, and each crashed run lives for a checkpoint and a fraction of a second. A
    /// checkpoint's barrier waits behind the chunks in flight, so chunks are small (64 KB): each
    /// run then moves a few thousand tweets on, wherever it is killed.
    private static let crashedRun = ["-p", "speed=100x", "-p", "chunk-bytes=65536"]

    private func crashAndRestore(parallelisms: [Int], seed: UInt64, name: String) throws {
        let scenario = try Self.scenario.get()
        let prefix = scenario.folder + "/" + name
        let checkpoints = prefix + "-checkpoints"
        func arguments(_ attempt: Int) -> [String] {
            Scenario.arguments(log: scenario.log, outputs: prefix, parallelism: parallelisms[attempt % parallelisms.count])
                + ["--checkpoint-dir", checkpoints, "--checkpoint-interval", "100ms", "--restore", "latest"]
        }
        var random = SplitMix64(seed: seed)
        var kills = 0, restores = 0, attempt = 0
        var finishedEarly: (status: Int32, stderr: String)?
        while kills < 20 {
            let watch = CheckpointFolderWatch(checkpoints)
            let run = try FlowrunProcess(arguments(attempt) + Self.crashedRun, stderrPath: "\(prefix)-\(attempt).err")
            let checkpointed = watch.waitForANewCheckpoint(while: run)
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.3, using: &random))
            let killed = run.send(SIGKILL)
            let result = run.finish()
            if result.stderr.contains("restoring checkpoint") { restores += 1 }
            attempt += 1
            guard killed else {
                finishedEarly = result
                break
            }
            #expect(checkpointed, "run \(attempt - 1) completed no checkpoint within a minute")
            kills += 1
        }
        #expect(kills == 20, "a paced run finished its log after \(kills) kills: \(finishedEarly?.stderr ?? "")")
        if finishedEarly == nil {
            let final = try FlowrunProcess(arguments(attempt), stderrPath: prefix + "-final.err").finish()
            if final.stderr.contains("restoring checkpoint") { restores += 1 }
            finishedEarly = final
        }
        let result = try #require(finishedEarly)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(restores == kills, "only \(restores) of \(kills) restarts restored a checkpoint, though each crashed run had completed one")
        for output in Scenario.outputNames {
            #expect(scenario.expected[output]?.isEmpty == false, "the uninterrupted run wrote no \(output)")
            #expect(try Fixtures.read(prefix + "-" + output) == scenario.expected[output], "\(output) differs from the uninterrupted run")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scenario.folder).filter { $0.hasPrefix("." + name + "-") }
        #expect(leftovers.isEmpty, "side-file parts or in-progress files left behind: \(leftovers)")
        #expect(!FileManager.default.fileExists(atPath: scenario.folder + "/." + name + "-out.csv.inprogress"))
    }
}
