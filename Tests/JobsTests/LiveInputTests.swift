import Foundation
import Redis
import Testing

/// Live inputs, through the real `flowrun`: a feed on standard input shows its windows' results
/// (on the console, in Redis) while it still runs; a log followed as it grows counts every tweet
/// once through a rotation and a truncation; a realtime replay completes a checkpoint and stops
/// at Ctrl-C within the issue's bounds, and its restore equals an uninterrupted run.
@Suite(.serialized)
struct LiveInputTests {
    static let job = Fixtures.path("Tests/Fixtures/jobs/live-windows.yaml")

    /// A tweet whose event time is now, with one of five hashtags.
    static func tweetLine(_ index: Int) -> String {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return #"{"id":\#(index),"timestamp_ms":"\#(now)","text":"live #tag\#(index % 5)","entities":{"hashtags":[{"text":"tag\#(index % 5)"}]}}"# + "\n"
    }

    /// Writes tweets to the run's standard input at 20 a second until `appeared()` holds (checked
    /// between tweets) or 60 seconds pass, then ends the input. Returns the tweets written and
    /// whether `appeared()` held while the feed still ran.
    static func feed(_ run: FlowrunProcess, until appeared: () throws -> Bool) throws -> (fed: Int, appeared: Bool) {
        signal(SIGPIPE, SIG_IGN)
        let input = try #require(run.standardInput)
        let started = Date()
        var fed = 0
        var seen = false
        while !seen && Date().timeIntervalSince(started) < 60 && run.isRunning {
            try input.write(contentsOf: Data(tweetLine(fed).utf8))
            fed += 1
            Thread.sleep(forTimeInterval: 0.05)
            seen = try appeared()
        }
        try input.close()
        return (fed, seen)
    }

    @Test func standardInputWindowsAppearOnTheConsoleWhileTheFeedRuns() throws {
        let folder = try Fixtures.scratchFolder()
        let console = folder + "/console.txt"
        let run = try FlowrunProcess(["run", Self.job, "--quiet"], stderrPath: folder + "/run.err", stdoutPath: console, feedsStandardInput: true)
        let (fed, appeared) = try Self.feed(run) {
            // Two windows shown: the first complete second of the feed fired while it ran.
            (try String(contentsOfFile: console, encoding: .utf8)).components(separatedBy: "top 3 for the window ending").count > 2
        }
        let result = run.finish()
        #expect(appeared, "no window was shown while the feed ran: \(result.stderr)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tweets: \(fed),"), "\(result.stderr)")
    }

    @Test func standardInputWindowsReachRedisWhileTheFeedRuns() throws {
        let server = try RedisServer()
        let folder = try Fixtures.scratchFolder()
        let run = try FlowrunProcess(["run", Self.job, "-p", "redis=\(server.url)", "--quiet"], stderrPath: folder + "/run.err", feedsStandardInput: true)
        let (fed, appeared) = try Self.feed(run) { !(try server.sortedSet()).isEmpty }
        let result = run.finish()
        #expect(appeared, "no window reached Redis while the feed ran: \(result.stderr)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tweets: \(fed),"), "\(result.stderr)")
    }

    @Test func aFollowedLogCountsEveryTweetOnceThroughRotationAndTruncation() throws {
        let folder = try Fixtures.scratchFolder()
        let log = folder + "/live.jsonl"
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let checkpoints = folder + "/checkpoints"
        let run = try FlowrunProcess(["run", Self.job, "-p", "input=\(log)", "-p", "follow=true", "--checkpoint-dir", checkpoints,
                                      "--checkpoint-interval", "100ms", "--quiet"], stderrPath: folder + "/run.err")
        var written = 0
        func append(_ count: Int, to path: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.seekToEnd()
            for _ in 0..<count {
                // Half a line first: the reader must wait for its end.
                let line = Data(Self.tweetLine(written).utf8)
                try handle.write(contentsOf: line.prefix(line.count / 2))
                try handle.write(contentsOf: line.dropFirst(line.count / 2))
                written += 1
            }
            try handle.close()
        }
        try append(40, to: log)
        #expect(Self.waitForCheckpointedTweets(written, in: checkpoints, while: run), "the first lines were not read as they were written")
        // Rotation: the log is renamed, lines still reach the old file, then a new one starts.
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        try append(10, to: log + ".1")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        try append(30, to: log)
        #expect(Self.waitForCheckpointedTweets(written, in: checkpoints, while: run), "tweets were lost or repeated across the rotation")
        // Truncation (copy and truncate): the file is read again from its start.
        try FileHandle(forWritingAtPath: log)!.truncate(atOffset: 0)
        try append(20, to: log)
        #expect(Self.waitForCheckpointedTweets(written, in: checkpoints, while: run), "tweets were lost or repeated across the truncation")
        #expect(run.send(SIGINT))
        let result = run.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tweets: \(written),"), "\(result.stderr)")
        #expect(result.stderr.contains("hashtags: \(written),"), "\(result.stderr)")
    }

    @Test func aRealtimeReplayCheckpointsSoonAndStopsPromptlyAndItsRestoreEqualsAnUninterruptedRun() throws {
        let folder = try Fixtures.scratchFolder()
        let uninterrupted = try FlowrunProcess(["run", Fixtures.trendingJob, "-p", "output=\(folder)/uninterrupted.csv", "--quiet"],
                                               stderrPath: folder + "/uninterrupted.err").finish()
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let checkpoints = folder + "/checkpoints"
        let arguments = ["run", Fixtures.trendingJob, "-p", "output=\(folder)/out.csv", "--checkpoint-dir", checkpoints, "--quiet"]
        let started = Date()
        let run = try FlowrunProcess(arguments + ["-p", "speed=realtime", "--checkpoint-interval", "500ms"], stderrPath: folder + "/realtime.err")
        #expect(CheckpointFolderWatch(checkpoints).waitForANewCheckpoint(while: run))
        let firstCheckpoint = Date().timeIntervalSince(started)
        #expect(firstCheckpoint < 3, "the first checkpoint of a realtime replay took \(firstCheckpoint) s")
        let interrupted = Date()
        #expect(run.send(SIGINT))
        let stopped = run.finish()
        let stopTime = Date().timeIntervalSince(interrupted)
        #expect(stopTime < 3, "Ctrl-C took \(stopTime) s to stop a realtime replay")
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped with savepoint"), "\(stopped.stderr)")

        let resumed = try FlowrunProcess(arguments + ["--restore", "latest"], stderrPath: folder + "/resume.err").finish()
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Fixtures.read(folder + "/out.csv") == Fixtures.read(folder + "/uninterrupted.csv"))
    }

    /// Waits, up to a minute, until a checkpoint counts `tweets` tweets read, or the run ends.
    static func waitForCheckpointedTweets(_ tweets: Int, in folder: String, while run: FlowrunProcess) -> Bool {
        for _ in 0..<600 {
            if newestCheckpointedTweets(in: folder) == tweets { return true }
            guard run.isRunning else { return false }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// The tweets counted by the newest complete checkpoint in `folder`.
    static func newestCheckpointedTweets(in folder: String) -> Int? {
        guard let newest = CheckpointFolderWatch.completed(in: folder).max(),
              let data = try? Fixtures.read(folder + "/" + newest + "/MANIFEST.json"),
              let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let counters = manifest["counters"] as? [String: [String: Int]] else { return nil }
        return counters.values.compactMap { $0["tweets"] }.reduce(0, +)
    }
}
