import Foundation
import Testing
import TweetGenerator

/// The rolling file sink through the real `flowrun`: part files committed at checkpoints survive a
/// `kill -9` and a restore, and concatenated in order they equal the file of one uninterrupted run.
struct RollingFileTests {
    @Test func partsAfterAKillAndARestoreConcatenateToTheUninterruptedRunsFile() throws {
        let folder = try Fixtures.scratchFolder()
        let log = folder + "/log.jsonl"
        // 20,000 tweets at 10 a second: 2,000 s of event time, 10 s of wall time at 200×.
        var configuration = TweetLogGenerator.Configuration(tweets: 20_000, seed: 5)
        configuration.tweetsPerSecond = 10
        _ = try TweetLogGenerator(configuration).write(toPath: log)
        let job = ["run", Fixtures.trendingJob, "-p", "input=\(log)", "--quiet"]
        let uninterrupted = try FlowrunProcess(job + ["-p", "output=\(folder)/whole.csv", "--checkpoint-dir", folder + "/whole-checkpoints"],
                                               stderrPath: folder + "/whole.err").finish()
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        // Every checkpoint finishes the part written since the one before.
        let rolling = job + ["-p", "output=\(folder)/parts", "-p", "rolling=1ms", "--checkpoint-dir", folder + "/checkpoints", "--checkpoint-interval", "200ms"]
        let watch = CheckpointFolderWatch(folder + "/checkpoints")
        let crashed = try FlowrunProcess(rolling + ["-p", "speed=200x"], stderrPath: folder + "/crashed.err")
        #expect(watch.waitForANewCheckpoint(while: crashed))
        let second = CheckpointFolderWatch(folder + "/checkpoints")
        #expect(second.waitForANewCheckpoint(while: crashed))
        #expect(crashed.send(SIGKILL), "the paced run ended before it was killed")
        _ = crashed.finish()
        let partsBeforeRestore = try Self.parts(in: folder + "/parts")
        #expect(!partsBeforeRestore.isEmpty, "no part was published by the completed checkpoints")

        let restored = try FlowrunProcess(rolling + ["--restore", "latest"], stderrPath: folder + "/restored.err").finish()
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stderr.contains("restoring checkpoint"), "\(restored.stderr)")
        let parts = try Self.parts(in: folder + "/parts")
        #expect(parts.count > partsBeforeRestore.count)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/parts")
        #expect(!names.contains { $0.hasSuffix(".inprogress") }, "\(names)")
        var concatenated = Data()
        for part in parts { concatenated.append(try Fixtures.read(folder + "/parts/" + part)) }
        #expect(concatenated == (try Fixtures.read(folder + "/whole.csv")))
    }

    /// The published parts in `folder`, in order.
    static func parts(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("part-") && $0.hasSuffix(".csv") }.sorted()
    }
}
