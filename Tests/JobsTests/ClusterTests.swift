import Flow
import FlowTesting
import Foundation
import Redis
import Testing
import TweetGenerator

/// Several `flowrun run --cluster` workers sharing one job through a real Kafka-protocol broker
/// (Tansu, see ``KafkaBroker``), each scenario on a broker of its own: the output of a single
/// process (A) equals that of three workers (B), of three workers one of which is killed with
/// `kill -9` after the key groups were first written (C), and of two workers joined by two more
/// mid-run (D), with no window result twice in a `read_committed` read. The topics are produced
/// and read by an independent client (`Tests/Fixtures/kafka/kafka_tool.py`, confluent-kafka).
///
/// Static membership stays off here: Tansu 0.6 leaves a dead static member's partitions
/// unassigned (see README, "Running on a cluster").
@Suite(.serialized)
struct ClusterTests {
    /// 20,000 generated tweets (400 s of event time) in four partitions, none late for its partition.
    static func brokerWithTweets(_ folder: String) throws -> KafkaBroker {
        let broker = try KafkaBroker()
        if !FileManager.default.fileExists(atPath: folder + "/log.jsonl") {
            var configuration = TweetLogGenerator.Configuration(tweets: 20_000, seed: 11)
            configuration.tweetsPerSecond = 50
            configuration.compact = true
            _ = try TweetLogGenerator(configuration).write(toPath: folder + "/log.jsonl")
        }
        #expect(try broker.produce(log: folder + "/log.jsonl", topic: "tweets", partitions: 4, dropLateMilliseconds: 5_000) > 19_000)
        return broker
    }

    static func arguments(_ broker: KafkaBroker, output: String, folder: String, extra: [String] = []) -> [String] {
        ["run", "configs/trending-from-kafka.yaml", "--quiet", "-p", "brokers=\(broker.brokers)", "-p", "topic=tweets", "-p", "until=latest",
         "-p", "output-topic=\(output)", "--checkpoint-dir", folder + "/checkpoints-" + output] + extra
    }

    static func worker(_ broker: KafkaBroker, _ name: String, output: String, folder: String, speed: String = "max") throws -> FlowrunProcess {
        try FlowrunProcess(arguments(broker, output: output, folder: folder, extra: [
            "--cluster", "kafka://\(broker.brokers)", "--worker-id", name, "--no-static-membership", "--session-timeout", "3s",
            "--checkpoint-interval", "200ms", "-p", "speed=\(speed)",
        ]), stderrPath: folder + "/\(output)-\(name).err", environment: broker.environment)
    }

    /// Output A: the single-process run.
    static func singleProcess(_ broker: KafkaBroker, folder: String) throws -> String {
        let run = try FlowrunProcess(arguments(broker, output: "A", folder: folder), stderrPath: folder + "/A.err", environment: broker.environment).finish()
        #expect(run.status == 0, "\(run.stderr)")
        let results = try broker.results(topic: "A")
        #expect(results.split(separator: "\n").count > 2_000)
        return results
    }

    /// Waits (up to two minutes) until some key group's state was written into the shared folder.
    static func waitForKeyGroupSnapshots(_ folder: String, while workers: [FlowrunProcess]) -> Bool {
        for _ in 0..<12_000 {
            let groups = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if groups.contains(where: { !((try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + $0)) ?? []).filter { $0.hasSuffix(".state") && !$0.hasPrefix(".") }.isEmpty }) {
                return true
            }
            guard workers.allSatisfy(\.isRunning) else { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    static func checkOutput(_ broker: KafkaBroker, topic: String, equals expected: String, folder: String) throws {
        let results = try broker.results(topic: topic)
        try results.write(toFile: folder + "/\(topic).csv", atomically: false, encoding: .utf8)
        let rows = results.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
        #expect(Set(rows).count == rows.count, "\(rows.count - Set(rows).count) window results of \(topic) are there more than once")
        #expect(results == expected, "output \(topic) differs from the single process's (\(folder))")
    }

    @Test func threeWorkersWriteWhatOneProcessWrites() throws {
        let folder = try Fixtures.scratchFolder()
        let broker = try Self.brokerWithTweets(folder)
        let expected = try Self.singleProcess(broker, folder: folder)
        let workers = try ["w0", "w1", "w2"].map { try Self.worker(broker, $0, output: "B", folder: folder) }
        for worker in workers {
            let result = worker.finish()
            #expect(result.status == 0 && result.stderr.contains("job finished"), "\(result.stderr)")
        }
        try Self.checkOutput(broker, topic: "B", equals: expected, folder: folder)
    }

    @Test func aWorkerKilledMidRunIsReplacedByTheOthersWithoutChangingTheOutput() throws {
        let folder = try Fixtures.scratchFolder()
        let broker = try Self.brokerWithTweets(folder)
        let expected = try Self.singleProcess(broker, folder: folder)
        let workers = try ["w0", "w1", "w2"].map { try Self.worker(broker, $0, output: "C", folder: folder, speed: "20x") }
        #expect(Self.waitForKeyGroupSnapshots(folder + "/checkpoints-C/cluster", while: workers), "no key group was written before the job ended")
        let linesBefore = try (1...2).map { try String(contentsOfFile: workers[$0].stderrPath, encoding: .utf8).components(separatedBy: "restored from snapshots").count }
        let killed = SystemClock.monotonicSeconds()
        #expect(workers[0].send(SIGKILL))
        _ = workers[0].finish()
        var recovery: Double?
        while recovery == nil && workers[1].isRunning {
            let lines = try (1...2).map { try String(contentsOfFile: workers[$0].stderrPath, encoding: .utf8).components(separatedBy: "restored from snapshots").count }
            if lines != linesBefore { recovery = SystemClock.monotonicSeconds() - killed }
            Thread.sleep(forTimeInterval: 0.02)
        }
        print("cluster recovery: the survivors took the killed worker's key groups over \(recovery.map { String(format: "%.2f s", $0) } ?? "never") after the kill")
        #expect(recovery != nil, "no surviving worker took key groups over")
        for worker in workers.dropFirst() {
            let result = worker.finish()
            #expect(result.status == 0 && result.stderr.contains("job finished"), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: workers[1].stderrPath, encoding: .utf8).contains("restored from snapshots")
                || String(contentsOfFile: workers[2].stderrPath, encoding: .utf8).contains("restored from snapshots"))
        try Self.checkOutput(broker, topic: "C", equals: expected, folder: folder)
    }

    @Test func twoWorkersRescaledToFourMidRunWriteWhatOneProcessWrites() throws {
        let folder = try Fixtures.scratchFolder()
        let broker = try Self.brokerWithTweets(folder)
        let expected = try Self.singleProcess(broker, folder: folder)
        var workers = try ["w0", "w1"].map { try Self.worker(broker, $0, output: "D", folder: folder, speed: "20x") }
        #expect(Self.waitForKeyGroupSnapshots(folder + "/checkpoints-D/cluster", while: workers), "no key group was written before the job ended")
        workers += try ["w2", "w3"].map { try Self.worker(broker, $0, output: "D", folder: folder, speed: "20x") }
        for worker in workers {
            let result = worker.finish()
            #expect(result.status == 0 && result.stderr.contains("job finished"), "\(result.stderr)")
        }
        #expect(try workers.dropFirst(2).contains { try String(contentsOfFile: $0.stderrPath, encoding: .utf8).contains("gained") }, "the workers that joined took no key group")
        try Self.checkOutput(broker, topic: "D", equals: expected, folder: folder)
    }

    /// The trending job with a Redis sink keeping every window (`<key>:<window end>`).
    static let redisJob = """
        name: cluster-redis
        parameters:
          brokers: {default: ""}
          redis: {default: ""}
          key: {default: hashtags}
          speed: {default: max}
        pipeline:
          - kafka: {brokers: "${brokers}", topic: tweets, until: latest, out-of-orderness: 5s, speed: "${speed}"}
          - hashtags: {}
          - key-by: hashtag
          - window: {type: sliding, size: 30m, slide: 10s}
          - count: {}
          - top-k: {k: 20}
          - sink: {redis: "${redis}", redis-key: "${key}", redis-history-ttl: 1h}
        """

    /// Every window's set under `key` (`<key>:<window end>` → its members and scores), and the
    /// last window's set and end.
    static func windows(_ redis: RedisServer, key: String) throws -> [String: [String]] {
        guard case .array(let names) = try redis.connection().command(["KEYS", "\(key):*"]) else { return [:] }
        var windows: [String: [String]] = [:]
        for case .string(let name) in names where name != "\(key):window" {
            windows[String(name.dropFirst(key.count + 1))] = try redis.sortedSet(name)
        }
        windows["last"] = try redis.sortedSet(key)
        if case .string(let end) = try redis.connection().command(["GET", "\(key):window"]) { windows["last end"] = [end] }
        return windows
    }

    @Test func workersPublishingToRedisLeaveEveryWindowAsOneProcessDoes() throws {
        let folder = try Fixtures.scratchFolder()
        let broker = try Self.brokerWithTweets(folder)
        let redis = try RedisServer()
        try Self.redisJob.write(toFile: folder + "/redis.yaml", atomically: false, encoding: .utf8)
        func arguments(_ key: String, _ extra: [String]) -> [String] {
            ["run", folder + "/redis.yaml", "--quiet", "-p", "brokers=\(broker.brokers)", "-p", "redis=\(redis.url)", "-p", "key=\(key)"] + extra
        }
        let single = try FlowrunProcess(arguments("single", []), stderrPath: folder + "/single.err", environment: broker.environment).finish()
        #expect(single.status == 0, "\(single.stderr)")
        let workers = try ["w0", "w1"].map { name in
            try FlowrunProcess(arguments("cluster", ["--cluster", "kafka://\(broker.brokers)", "--worker-id", name, "--no-static-membership",
                                                     "--session-timeout", "3s", "--checkpoint-dir", folder + "/checkpoints-redis",
                                                     "--checkpoint-interval", "200ms", "-p", "speed=20x"]),
                               stderrPath: folder + "/redis-\(name).err", environment: broker.environment)
        }
        #expect(Self.waitForKeyGroupSnapshots(folder + "/checkpoints-redis/cluster", while: workers), "no key group was written before the job ended")
        #expect(workers[0].send(SIGKILL))
        _ = workers[0].finish()
        let survivor = workers[1].finish()
        #expect(survivor.status == 0 && survivor.stderr.contains("job finished"), "\(survivor.stderr)")
        let expected = try Self.windows(redis, key: "single")
        #expect(expected.count > 200, "the single process kept \(expected.count) windows")
        #expect(try Self.windows(redis, key: "cluster") == expected, "the workers' windows in Redis differ from the single process's")
    }

    /// Workers that do not share the checkpoint folder: the one that takes key groups over finds
    /// no snapshot of them and counts them again from the start of the exchange topic (which
    /// holds every record here), so the output is still a single process's.
    @Test func aWorkerThatFindsNoSnapshotCountsItsKeyGroupsAgainFromTheTopic() throws {
        let folder = try Fixtures.scratchFolder()
        let broker = try Self.brokerWithTweets(folder)
        let expected = try Self.singleProcess(broker, folder: folder)
        let workers = try ["w0", "w1"].map { name in
            try FlowrunProcess(Self.arguments(broker, output: "E-\(name)", folder: folder, extra: [
                "--cluster", "kafka://\(broker.brokers)", "--worker-id", name, "--no-static-membership", "--session-timeout", "3s",
                "--checkpoint-interval", "200ms", "-p", "speed=20x", "-p", "output-topic=E",
            ]), stderrPath: folder + "/E-\(name).err", environment: broker.environment)
        }
        #expect(Self.waitForKeyGroupSnapshots(folder + "/checkpoints-E-w0/cluster", while: workers), "w0 wrote no key group before the job ended")
        #expect(workers[0].send(SIGKILL))
        _ = workers[0].finish()
        let survivor = workers[1].finish()
        #expect(survivor.status == 0 && survivor.stderr.contains("job finished"), "\(survivor.stderr)")
        try Self.checkOutput(broker, topic: "E", equals: expected, folder: folder)
    }

    /// A worker serves its counts and its health like a single process: the tweets it read rise
    /// while it runs, the key groups it owns are a level, and it is ready while it is in the job.
    @Test func aWorkerServesItsCountsOnItsMetricsEndpoint() throws {
        let folder = try Fixtures.scratchFolder()
        let broker = try Self.brokerWithTweets(folder)
        let worker = try FlowrunProcess(Self.arguments(broker, output: "M", folder: folder, extra: [
            "--cluster", "kafka://\(broker.brokers)", "--worker-id", "w0", "--no-static-membership", "--session-timeout", "3s",
            "--checkpoint-interval", "200ms", "-p", "speed=20x", "--metrics-port", "0",
        ]), stderrPath: folder + "/M.err", environment: broker.environment)
        let endpoint = try MetricsEndpointTests.endpoint(of: worker)
        var scrapes: [MetricsEndpointTests.Scrape] = []
        while worker.isRunning && scrapes.count < 1200 {
            scrapes.append(try MetricsEndpointTests.scrape(endpoint))
            if let first = scrapes.first(where: { $0.total("flow_tweets_total") > 0 }), let now = scrapes.last,
               now.total("flow_tweets_total") > first.total("flow_tweets_total"), now.total("flow_key_groups_owned") > 0 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let last = try #require(scrapes.last)
        #expect(worker.send(SIGINT))
        let result = worker.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let tweets = scrapes.map { $0.total("flow_tweets_total") }
        #expect(zip(tweets, tweets.dropFirst()).allSatisfy { $0 <= $1 } && (tweets.last ?? 0) > (tweets.first { $0 > 0 } ?? .infinity),
                "the tweets read did not rise while the worker ran: \(tweets.suffix(5))")
        #expect(last.healthz == 200 && last.ready == 200)
        #expect(last.total("flow_key_groups_owned", ["operator": "key-groups"]) > 0, "a lone worker owns key groups")
        let summaryTweets = result.stderr.firstMatch(of: /tweets: ([0-9]+)/).flatMap { Double($0.output.1) } ?? -1
        #expect(summaryTweets >= last.total("flow_tweets_total"), "the summary's \(summaryTweets) tweets are fewer than were served")
    }

    @Test func aPipelineOfAnotherShapeIsRefusedInOneSentence() throws {
        let folder = try Fixtures.scratchFolder()
        let run = try FlowrunProcess(["run", "configs/trending-hashtags.yaml", "--cluster", "kafka://127.0.0.1:9", "--worker-id", "w0"],
                                     stderrPath: folder + "/shape.err").finish()
        #expect(run.status == 2)
        #expect(run.stderr.contains("--cluster runs pipelines of the shape") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

}
