import Flow
import Foundation
import Jobs
import Testing
import TweetGenerator

/// Damaged checkpoints are reported in one sentence and skipped for the previous one, and a job
/// stopped with Ctrl-C resumes from its savepoint; each time the finished output equals that of
/// an uninterrupted run.
@Suite(.serialized)
struct CheckpointRecoveryTests {
    /// A log, its uninterrupted output, and a killed run that left several complete checkpoints.
    final class Crashed: Sendable {
        let folder: String
        let log: String
        let expected: Data
        /// Complete checkpoint folder names, newest first.
        let checkpoints: [String]

        init() throws {
            folder = try Fixtures.scratchFolder()
            log = folder + "/log.jsonl"
            var configuration = TweetLogGenerator.Configuration(tweets: 40_000, seed: 9)
            configuration.tweetsPerSecond = 50
            _ = try TweetLogGenerator(configuration).write(toPath: log)
            let reference = try FlowrunProcess(Self.arguments(log: log, output: folder + "/reference.csv", checkpoints: folder + "/unused"),
                                               stderrPath: folder + "/reference.err")
            guard reference.finish().status == 0 else { throw FlowError(.internal, "the uninterrupted run failed") }
            expected = try Fixtures.read(folder + "/reference.csv")

            // Paced to last about 4 s (800 s of tweets at 200x), so checkpoints every 100 ms find it running however fast the machine.
            let run = try FlowrunProcess(Self.arguments(log: log, output: folder + "/crashed/out.csv", checkpoints: folder + "/crashed/checkpoints")
                                         + ["--checkpoint-interval", "100ms", "-p", "speed=200x"], stderrPath: folder + "/crashed.err")
            let storage = CheckpointStorage(directory: folder + "/crashed/checkpoints")
            while Self.complete(storage).count < 3 && run.process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
            _ = run.send(SIGKILL)
            _ = run.finish()
            checkpoints = Self.complete(storage)
            guard checkpoints.count >= 3 else { throw FlowError(.internal, "the run ended before three checkpoints") }
        }

        static func complete(_ storage: CheckpointStorage) -> [String] {
            storage.folders().map(\.path).filter { FileManager.default.fileExists(atPath: $0 + "/" + CheckpointManifest.fileName) }
                .map { ($0 as NSString).lastPathComponent }
        }

        static func arguments(log: String, output: String, checkpoints: String) -> [String] {
            try? FileManager.default.createDirectory(atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            return ["run", "configs/trending-hashtags.yaml", "--quiet", "-p", "input=\(log)", "-p", "output=\(output)", "--checkpoint-dir", checkpoints]
        }

        /// A copy of the crashed run's folder (checkpoints and in-progress output) to damage.
        func copy(named name: String) throws -> String {
            let copy = folder + "/" + name
            try FileManager.default.copyItem(atPath: folder + "/crashed", toPath: copy)
            return copy
        }
    }

    static let crashed = Result { try Crashed() }

    /// Damages the newest checkpoint with `damage`, restores, and checks the report and the output.
    private func restoreAfterDamage(_ name: String, reason: String, damage: (String) throws -> Void) throws {
        let crashed = try Self.crashed.get()
        let copy = try crashed.copy(named: name)
        let newest = crashed.checkpoints[0], previous = crashed.checkpoints[1]
        try damage(copy + "/checkpoints/" + newest)
        let run = try FlowrunProcess(Crashed.arguments(log: crashed.log, output: copy + "/out.csv", checkpoints: copy + "/checkpoints") + ["--restore", "latest"],
                                     stderrPath: copy + "/restore.err")
        let result = run.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("checkpoint \(copy)/checkpoints/\(newest) is unusable") && $0.contains(reason) }, "\(result.stderr)")
        #expect(lines.contains("flowrun: restoring checkpoint \(Int(previous.dropFirst(4))!) from \(copy)/checkpoints/\(previous)"), "\(result.stderr)")
        #expect(try Fixtures.read(copy + "/out.csv") == crashed.expected)
    }

    @Test func aTruncatedSnapshotIsSkipped() throws {
        try restoreAfterDamage("truncated", reason: "window.0.snap has ") { folder in
            let path = folder + "/window.0.snap"
            let bytes = try Fixtures.read(path)
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test func aFlippedByteIsSkipped() throws {
        try restoreAfterDamage("flipped", reason: "window.0.snap fails its checksum") { folder in
            let path = folder + "/window.0.snap"
            var bytes = [UInt8](try Fixtures.read(path))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test func anOlderSnapshotVersionIsSkipped() throws {
        try restoreAfterDamage("snapshot-version", reason: "tweet-log.0.snap has format version 1, but this Flow reads version 4") { folder in
            let path = folder + "/tweet-log.0.snap"
            var bytes = [UInt8](try Fixtures.read(path))
            bytes[8] = 1
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test func anOlderManifestVersionIsSkipped() throws {
        try restoreAfterDamage("manifest-version", reason: "MANIFEST.json has format version 1, but this Flow reads version 4") { folder in
            let path = folder + "/" + CheckpointManifest.fileName
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"version\" : \(CheckpointManifest.formatVersion)", with: "\"version\" : 1")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    @Test func ctrlCStopsWithASavepointThatResumes() throws {
        let crashed = try Self.crashed.get()
        let folder = crashed.folder + "/savepoint"
        let arguments = Crashed.arguments(log: crashed.log, output: folder + "/out.csv", checkpoints: folder + "/checkpoints")
        // Paced at 200x, the 800 s of event time take 4 s: Ctrl-C comes in the middle.
        let run = try FlowrunProcess(arguments + ["--checkpoint-interval", "1h", "-p", "speed=200x"], stderrPath: folder + "/stop.err")
        Thread.sleep(forTimeInterval: 1)
        #expect(run.send(SIGINT), "the job ended before it could be stopped")
        let stopped = run.finish()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped with savepoint 1 in \(folder)/checkpoints; resume with --restore latest"), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.csv"), "a stopped job must not publish its output")
        let manifest = try JSONDecoder().decode(CheckpointManifest.self, from: try Fixtures.read(folder + "/checkpoints/chk-00000001/" + CheckpointManifest.fileName))
        #expect(manifest.isSavepoint)

        let resumed = try FlowrunProcess(arguments + ["--restore", "latest", "--parallelism", "2"], stderrPath: folder + "/resume.err").finish()
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("restoring checkpoint 1 from"))
        #expect(try Fixtures.read(folder + "/out.csv") == crashed.expected)
    }

    @Test func restoreLatestWithNoCheckpointStartsFromTheBeginning() throws {
        let crashed = try Self.crashed.get()
        let folder = crashed.folder + "/fresh"
        let run = try FlowrunProcess(Crashed.arguments(log: crashed.log, output: folder + "/out.csv", checkpoints: folder + "/checkpoints") + ["--restore", "latest"],
                                     stderrPath: folder + "/run.err")
        let result = run.finish()
        #expect(result.status == 0)
        #expect(result.stderr.contains("flowrun: no checkpoint in \(folder)/checkpoints yet; starting from the beginning"))
        #expect(try Fixtures.read(folder + "/out.csv") == crashed.expected)
    }
}
