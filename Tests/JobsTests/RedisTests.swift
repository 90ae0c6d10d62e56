import Flow
import FlowTesting
import Foundation
import Jobs
import Redis
import Testing
import TweetGenerator

/// The Redis sink and source against a real `redis-server`: the published set is exactly the last
/// window's top 20 (by the independent reference), a reader never sees a mixed set, a server
/// restart or a crash of the job loses nothing, and bad credentials or an unreachable server end
/// with one sentence.
@Suite(.serialized)
struct RedisTests {
    /// A generated log and every window's top 20 by the Python reference.
    final class Replay: Sendable {
        let folder: String
        let log: String
        /// Per window end, the top 20 as sorted "tag count" lines; and the reference CSV's rows.
        let windows: [Int64: [String]]
        let rows: [String]
        var lastWindow: Int64 { windows.keys.max()! }

        init() throws {
            folder = try Fixtures.scratchFolder()
            log = folder + "/log.jsonl"
            var configuration = TweetLogGenerator.Configuration(tweets: 30_000, seed: 21)
            configuration.tweetsPerSecond = 5
            _ = try TweetLogGenerator(configuration).write(toPath: log)
            rows = String(decoding: try Fixtures.trendingReference(log: log, folder: folder), as: UTF8.self).split(separator: "\n").dropFirst().map(String.init)
            var windows: [Int64: [String]] = [:]
            for row in rows {
                let cells = row.split(separator: ",")
                windows[Int64(cells[0])!, default: []].append("\(cells[2]) \(cells[3])")
            }
            self.windows = windows.mapValues { $0.sorted() }
        }
    }

    static let replay = Result { try Replay() }

    private func publish(_ replay: Replay, to server: RedisServer, extra: [String] = [], checkpoints: String? = nil, stderr name: String) throws -> FlowrunProcess {
        try FlowrunProcess(["run", "configs/trending-hashtags.yaml", "--quiet", "-p", "input=\(replay.log)", "-p", "redis=\(server.url)",
                            "--checkpoint-dir", replay.folder + "/\(checkpoints ?? name)-checkpoints"] + extra,
                           stderrPath: replay.folder + "/\(name).err")
    }

    @Test func theSetHoldsTheLastWindowsTop20AndAReaderNeverSeesAMix() throws {
        let replay = try Self.replay.get()
        let server = try RedisServer()
        let run = try publish(replay, to: server, stderr: "publish")
        let allWindows = Set(replay.windows.values)
        var observed: Set<[String]> = []
        var polls = 0
        let reader = try server.connection()
        while run.process.isRunning {
            guard case .array(let flat) = try reader.command(["ZREVRANGE", "hashtags", "0", "19", "WITHSCORES"]), !flat.isEmpty else { continue }
            let set = stride(from: 0, to: flat.count - 1, by: 2).map { index -> String in
                guard case .string(let member) = flat[index], case .string(let score) = flat[index + 1] else { return "?" }
                return "\(member) \(score)"
            }.sorted()
            polls += 1
            #expect(allWindows.contains(set), "a reader saw a set that is no window's top 20: \(set)")
            observed.insert(set)
        }
        let result = run.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try server.sortedSet() == replay.windows[replay.lastWindow])
        #expect(try server.connection().command(["GET", "hashtags:window"]) == .string(String(replay.lastWindow)))
        #expect(observed.count >= 3, "the reader polled \(polls) times but saw only \(observed.count) windows")

        // The source reads back what the sink wrote, ranked as Flow ranks.
        let output = replay.folder + "/readback.csv"
        let readback = try FlowrunProcess(["run", "Tests/Fixtures/jobs/redis-readback.yaml", "--quiet", "-p", "redis=\(server.url)", "-p", "output=\(output)"],
                                          stderrPath: replay.folder + "/readback.err").finish()
        #expect(readback.status == 0, "\(readback.stderr)")
        let lastRows = replay.rows.filter { $0.hasPrefix("\(replay.lastWindow),") }
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "window_end_ms,rank,hashtag,count\n" + lastRows.map { $0 + "\n" }.joined())
    }

    @Test func aRedisRestartInTheMiddleLosesNothing() throws {
        let replay = try Self.replay.get()
        let server = try RedisServer()
        // Paced at 2000x, the 6000 s of event time take 3 s: Redis goes away in the middle.
        let run = try publish(replay, to: server, extra: ["-p", "speed=2000x"], stderr: "restart")
        Thread.sleep(forTimeInterval: 0.8)
        #expect(run.process.isRunning, "the replay ended before Redis could be killed")
        server.kill()
        Thread.sleep(forTimeInterval: 0.7)
        try server.start()
        let result = run.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try server.sortedSet() == replay.windows[replay.lastWindow])
        // The summary counts the retries the outage cost (and /metrics serves them as flow_redis_retries_total).
        let retries = result.stderr.firstMatch(of: /redis retries: ([0-9]+)/).flatMap { Int($0.output.1) } ?? 0
        #expect(retries > 0, "\(result.stderr)")
    }

    @Test func aCrashedJobRestoredFromACheckpointPublishesTheSameSet() throws {
        let replay = try Self.replay.get()
        let server = try RedisServer()
        var random = SplitMix64(seed: 4)
        for attempt in 0..<3 {
            // Killed only after a checkpoint of its own, whatever the machine's speed.
            let watch = CheckpointFolderWatch(replay.folder + "/crash-checkpoints")
            let run = try publish(replay, to: server, extra: ["--checkpoint-interval", "100ms", "--restore", "latest", "-p", "speed=2000x"],
                                  checkpoints: "crash", stderr: "crash-\(attempt)")
            #expect(watch.waitForANewCheckpoint(while: run), "run \(attempt) completed no checkpoint")
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.3, using: &random))
            #expect(run.send(SIGKILL))
            _ = run.finish()
        }
        let result = try publish(replay, to: server, extra: ["--restore", "latest", "--parallelism", "2"], checkpoints: "crash", stderr: "crash-final").finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("restoring checkpoint"))
        #expect(try server.sortedSet() == replay.windows[replay.lastWindow])
    }

    @Test func aWrongPasswordEndsWithOneSentence() throws {
        let replay = try Self.replay.get()
        let server = try RedisServer(password: "right-password")
        for (name, environment) in [("wrong", ["REDIS_PASSWORD": "wrong-password"]), ("none", [:])] {
            let run = try FlowrunProcess(["run", "Tests/Fixtures/jobs/redis-publish.yaml", "--quiet", "-p", "input=\(replay.log)", "-p", "redis=\(server.url)"],
                                         stderrPath: replay.folder + "/password-\(name).err", environment: environment)
            let result = run.finish()
            #expect(result.status == 4)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("Redis at \(server.url) refused"), "\(result.stderr)")
            #expect(!result.stderr.contains("wrong-password") && !result.stderr.contains("right-password"))
        }
    }

    @Test func anUnreachableServerEndsWithOneSentence() throws {
        let replay = try Self.replay.get()
        let port = RedisServer.freePort()
        let run = try FlowrunProcess(["run", "Tests/Fixtures/jobs/redis-publish.yaml", "--quiet", "-p", "input=\(replay.log)", "-p", "redis=redis://127.0.0.1:\(port)"],
                                     stderrPath: replay.folder + "/unreachable.err")
        let result = run.finish()
        #expect(result.status == 4)
        #expect(result.stderr == "flowrun: operator sink: Redis at redis://127.0.0.1:\(port) is unreachable after 3 attempts (cannot connect to redis://127.0.0.1:\(port): Connection refused); check that the server runs and the address is right\n")
    }
}
