import Flow
import FlowTesting
import Foundation
import Testing
import TweetGenerator

/// The Kafka source and sink against a real Kafka-protocol broker (Tansu, see ``KafkaBroker``):
/// trending from a four-partition topic equals the golden output at every parallelism, a replay
/// into Kafka killed and restored feeds the same job each tweet once, ten `kill -9`s of an exactly-once job leave every window result
/// in the output topic exactly once, and an unreachable broker or a missing topic ends in one
/// sentence with its exit code. Each test starts a broker of its own. The topics are produced and read by an independent client
/// (`Tests/Fixtures/kafka/kafka_tool.py`, confluent-kafka), never by Flow.
@Suite(.serialized)
struct KafkaTests {
    static let fixture = Fixtures.path("Tests/Fixtures/tweets/twitter_v1_2021_head.jsonl.zst")
    static let golden = Fixtures.path("Tests/Fixtures/golden/twitter_v1_2021_head.csv")

    /// `flowrun run configs/trending-from-kafka.yaml` reading `topic` to its end, writing `output`.
    static func trending(_ broker: KafkaBroker, topic: String, output: String, folder: String, extra: [String] = []) -> [String] {
        ["run", "configs/trending-from-kafka.yaml", "--quiet", "-p", "brokers=\(broker.brokers)", "-p", "topic=\(topic)",
         "-p", "until=latest", "-p", "output-topic=\(output)", "--checkpoint-dir", folder + "/checkpoints-" + output] + extra
    }

    @Test func trendingFromFourPartitionsEqualsTheGoldenOutputAtEveryParallelism() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        #expect(try broker.produce(log: Self.fixture, topic: "golden-tweets", partitions: 4) == 911)
        let expected = try String(contentsOfFile: Self.golden, encoding: .utf8)
        for parallelism in [1, 2, 4] {
            let output = "golden-results-p\(parallelism)"
            let run = try FlowrunProcess(Self.trending(broker, topic: "golden-tweets", output: output, folder: folder, extra: ["--parallelism", String(parallelism)]),
                                         stderrPath: folder + "/\(output).err", environment: broker.environment).finish()
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try broker.results(topic: output) == expected, "the results at parallelism \(parallelism) differ from the golden file")
        }
    }

    /// `flowrun run configs/replay-to-kafka.yaml` of the 2021 fixture (16 s of event time) into `topic`.
    static func replay(_ broker: KafkaBroker, topic: String, delivery: String, folder: String, extra: [String] = []) -> [String] {
        ["run", "configs/replay-to-kafka.yaml", "--quiet", "-p", "input=\(fixture)", "-p", "brokers=\(broker.brokers)", "-p", "topic=\(topic)",
         "-p", "partitions=3", "-p", "delivery=\(delivery)", "--checkpoint-dir", folder + "/checkpoints-" + topic, "--checkpoint-interval", "100ms",
         "--restore", "latest"] + extra
    }

    /// A replay at 2× killed once it completed a checkpoint, then restored and run to its end.
    static func replayKilledAndRestored(_ broker: KafkaBroker, topic: String, delivery: String, folder: String) throws {
        let watch = CheckpointFolderWatch(folder + "/checkpoints-" + topic)
        let crashed = try FlowrunProcess(replay(broker, topic: topic, delivery: delivery, folder: folder, extra: ["-p", "speed=2x"]),
                                         stderrPath: folder + "/crashed.err", environment: broker.environment)
        let checkpointed = watch.waitForANewCheckpoint(while: crashed)
        #expect(checkpointed && crashed.send(SIGKILL), "the paced replay ended before it was killed after a checkpoint")
        _ = crashed.finish()
        let restored = try FlowrunProcess(replay(broker, topic: topic, delivery: delivery, folder: folder),
                                          stderrPath: folder + "/replay.err", environment: broker.environment).finish()
        #expect(restored.status == 0 && restored.stderr.contains("restoring checkpoint"), "\(restored.stderr)")
    }

    /// With exactly once, the replayed topic holds every tweet once: the trending job reading it
    /// writes the golden results.
    @Test func aReplayIntoKafkaKilledAndRestoredFeedsTheTrendingJobEachTweetOnce() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        try Self.replayKilledAndRestored(broker, topic: "replayed", delivery: "exactly-once", folder: folder)
        let run = try FlowrunProcess(Self.trending(broker, topic: "replayed", output: "replayed-results", folder: folder),
                                     stderrPath: folder + "/trending.err", environment: broker.environment).finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try broker.results(topic: "replayed-results") == String(contentsOfFile: Self.golden, encoding: .utf8))
    }

    /// At least once keeps no transaction, yet its checkpoints restore.
    @Test func anAtLeastOnceReplayRestoresFromItsCheckpoint() throws {
        try Self.replayKilledAndRestored(try KafkaBroker(), topic: "plain", delivery: "at-least-once", folder: try Fixtures.scratchFolder())
    }

    /// A job starting at `latest` that completed a checkpoint before any record came, killed, then
    /// restored: it reads the records produced meanwhile, not from a later end.
    @Test func aJobStartedAtTheLatestOffsetsResumesWhereItStartedAfterACrash() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        // Before the start: never read (the end markers keep Tansu's end offsets, see kafka_tool.py, past the tweets).
        try broker.produce(log: Self.fixture, topic: "live", partitions: 4, endMarkers: true)
        let arguments = Self.trending(broker, topic: "live", output: "live-results", folder: folder, extra: ["-p", "start=latest", "--checkpoint-interval", "100ms", "--restore", "latest"])
        let watch = CheckpointFolderWatch(folder + "/checkpoints-live-results")
        let waiting = try FlowrunProcess(arguments.map { $0 == "until=latest" ? "until=never" : $0 }, stderrPath: folder + "/waiting.err", environment: broker.environment)
        #expect(watch.waitForANewCheckpoint(while: waiting) && waiting.send(SIGKILL))
        _ = waiting.finish()
        try broker.produce(log: Self.fixture, topic: "live", partitions: 4)
        let restored = try FlowrunProcess(arguments, stderrPath: folder + "/restored.err", environment: broker.environment).finish()
        #expect(restored.status == 0 && restored.stderr.contains("restoring checkpoint"), "\(restored.stderr)")
        #expect(try broker.results(topic: "live-results") == String(contentsOfFile: Self.golden, encoding: .utf8))
    }

    /// 20,000 generated tweets (400 s of event time, late ones left out so that no record is late
    /// for its partition), read at 20× by runs each killed once it completed a checkpoint of its
    /// own: a `read_committed` read of the output then holds each window result once, as an
    /// uninterrupted run wrote it.
    @Test func tenKillsOfAnExactlyOnceJobLeaveEachWindowResultOnce() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        var configuration = TweetLogGenerator.Configuration(tweets: 20_000, seed: 3)
        configuration.tweetsPerSecond = 50
        configuration.compact = true
        _ = try TweetLogGenerator(configuration).write(toPath: folder + "/log.jsonl")
        #expect(try broker.produce(log: folder + "/log.jsonl", topic: "crash-tweets", partitions: 4, dropLateMilliseconds: 5_000) > 19_000)

        let reference = try FlowrunProcess(Self.trending(broker, topic: "crash-tweets", output: "uninterrupted", folder: folder),
                                           stderrPath: folder + "/uninterrupted.err", environment: broker.environment).finish()
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try broker.results(topic: "uninterrupted")
        #expect(expected.split(separator: "\n").count > 2_000)

        let checkpoints = folder + "/checkpoints-crashed"
        let arguments = Self.trending(broker, topic: "crash-tweets", output: "crashed", folder: folder, extra: ["--checkpoint-interval", "100ms", "--restore", "latest"])
        var random = SplitMix64(seed: 17)
        var kills = 0, restores = 0
        for attempt in 0..<10 {
            let watch = CheckpointFolderWatch(checkpoints)
            let run = try FlowrunProcess(arguments + ["-p", "speed=20x"], stderrPath: folder + "/crashed-\(attempt).err", environment: broker.environment)
            let checkpointed = watch.waitForANewCheckpoint(while: run)
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.3, using: &random))
            let killed = run.send(SIGKILL)
            let result = run.finish()
            #expect(killed && checkpointed, "run \(attempt) ended before it was killed after a checkpoint: \(result.stderr)")
            if killed { kills += 1 }
            if result.stderr.contains("restoring checkpoint") { restores += 1 }
        }
        let final = try FlowrunProcess(arguments, stderrPath: folder + "/final.err", environment: broker.environment).finish()
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stderr.contains("restoring checkpoint"))
        #expect(kills == 10 && restores == 9, "\(kills) kills, \(restores) restores")
        let crashed = try broker.results(topic: "crashed")
        try crashed.write(toFile: folder + "/crashed.csv", atomically: false, encoding: .utf8)
        try expected.write(toFile: folder + "/expected.csv", atomically: false, encoding: .utf8)
        let rows = crashed.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
        #expect(Set(rows).count == rows.count, "\(rows.count - Set(rows).count) window results were committed more than once")
        #expect(crashed == expected, "the output after ten kills differs from the uninterrupted run's")
    }

    /// Read at the pace of its event time, the job lags the topic's end, and its metrics say by how much.
    @Test func aPacedReadServesTheRecordsItIsBehindAsAMetric() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        #expect(try broker.produce(log: Self.fixture, topic: "lag-tweets", partitions: 2) == 911)
        let run = try FlowrunProcess(Self.trending(broker, topic: "lag-tweets", output: "lag-results", folder: folder,
                                                   extra: ["-p", "speed=1x", "--metrics-port", "0"]),
                                     stderrPath: folder + "/run.err", environment: broker.environment)
        let endpoint = try MetricsEndpointTests.endpoint(of: run)
        var behind: [Double] = []
        while !behind.contains(where: { $0 > 0 }) && behind.count < 600 && run.isRunning {
            behind.append(try MetricsEndpointTests.scrape(endpoint).total("flow_kafka_records_behind"))
            Thread.sleep(forTimeInterval: 0.05)
        }
        _ = run.send(SIGKILL)
        let result = run.finish()
        #expect(behind.contains { $0 > 0 }, "no lag was served while the paced read ran: \(behind.suffix(5)) \(result.stderr)")
        #expect(behind.allSatisfy { $0 <= 911 }, "more records behind than the topic holds: \(behind.max() ?? 0)")
    }

    @Test func anUnreachableBrokerEndsInOneSentenceWithExitCode4() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        let closed = RedisServer.freePort()
        let run = try FlowrunProcess(["run", "configs/trending-from-kafka.yaml", "--quiet", "-p", "brokers=127.0.0.1:\(closed)", "-p", "until=latest",
                                      "--checkpoint-dir", folder + "/checkpoints"], stderrPath: folder + "/run.err", environment: broker.environment).finish()
        #expect(run.status == 4)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("cannot reach Kafka at 127.0.0.1:\(closed)") == true, "\(run.stderr)")
    }

    @Test func aMissingTopicEndsInOneSentenceWithExitCode3() throws {
        let broker = try KafkaBroker()
        let folder = try Fixtures.scratchFolder()
        let run = try FlowrunProcess(Self.trending(broker, topic: "no-such-topic", output: "never-written", folder: folder),
                                     stderrPath: folder + "/run.err", environment: broker.environment).finish()
        #expect(run.status == 3)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("the Kafka topic no-such-topic does not exist") == true, "\(run.stderr)")
    }
}
