import Flow
import FlowTesting
import Foundation
import Operators
import Testing
import TweetLog

/// Watermarks made by parallel subtasks (``SequencedWatermarks``) against the sequential
/// generator, and windows fed stamped records while their own watermark lags behind.
struct ParallelWatermarkTests {
    /// Tweets mostly in time order, some a few seconds behind and some far behind (late).
    private func tweets(_ count: Int, seed: UInt64) -> [Tweet] {
        var random = SplitMix64(seed: seed)
        var time: Int64 = 1_600_000_000_000
        return (0..<count).map { index in
            time += Int64.random(in: 0...400, using: &random)
            let jitter: Int64 = switch Int.random(in: 0..<20, using: &random) {
            case 0: -Int64.random(in: 10_000...60_000, using: &random)
            case 1, 2: -Int64.random(in: 0...6_000, using: &random)
            default: 0
            }
            return Tweet(eventTime: EventTime(milliseconds: time + jitter), hashtags: [KeyString("t\(index % 5)")])
        }
    }

    /// Batches of random sizes (empty ones too).
    private func batches(_ tweets: [Tweet], seed: UInt64) -> [[Tweet]] {
        var random = SplitMix64(seed: seed)
        var result: [[Tweet]] = [], start = 0
        while start < tweets.count {
            let size = min(tweets.count - start, Int.random(in: 0...40, using: &random))
            result.append(Array(tweets[start..<(start + size)]))
            start += size
        }
        return result
    }

    /// For each record in order: the last watermark the sequential generator sent before it.
    private func sequentialStamps(_ batches: [[Tweet]], granularity: Int64) throws -> [Int64] {
        let harness = try OperatorHarness(watermarkGranularity: granularity) { BoundedOutOfOrdernessWatermarks<Tweet>(delay: .seconds(5), context: $0) }
        for batch in batches { try harness.process(batch) }
        var stamps: [Int64] = [], last = Int64.min
        for element in harness.emitted {
            switch element {
            case .record: stamps.append(last)
            case .watermark(let watermark): last = watermark.milliseconds
            default: break
            }
        }
        return stamps
    }

    @Test(arguments: [1, 2, 3, 5])
    func stampsEqualTheSequentialWatermarksAtEveryParallelism(parallelism: Int) throws {
        for (seed, granularity) in [(UInt64(1), Int64(1)), (2, 10_000), (3, 7)] {
            let batches = batches(tweets(3_000, seed: seed), seed: seed + 100)
            let expected = try sequentialStamps(batches, granularity: granularity)
            let earlier = SequencedWatermarks<Tweet>.sharedPrefix()
            let harnesses = try (0..<parallelism).map { subtask in
                try OperatorHarness(subtask: subtask, parallelism: parallelism, watermarkGranularity: granularity) {
                    SequencedWatermarks<Tweet>(delay: .seconds(5), earlier: earlier, context: $0)
                }
            }
            // Each subtask on its own thread, taking every parallelism-th batch, as dealt.
            let failures = Locked<[String]>([])
            let group = DispatchGroup()
            for subtask in 0..<parallelism {
                let harness = OwnedByOneThread(harnesses[subtask])
                let own = stride(from: subtask, to: batches.count, by: parallelism).map { batches[$0] }
                group.enter()
                Thread {
                    do { for batch in own { try harness.value.process(batch) } } catch { failures.withLock { $0.append("\(error)") } }
                    group.leave()
                }.start()
            }
            group.wait()
            #expect(failures.withLock { $0 }.isEmpty)
            var stamps: [Int64] = []
            var outputs = harnesses.map { $0.records.makeIterator() }
            for (index, batch) in batches.enumerated() {
                for _ in batch { stamps.append(outputs[index % parallelism].next()!.sequencedWatermark.milliseconds) }
            }
            #expect(stamps == expected, "seed \(seed), granularity \(granularity)")
            // A subtask's watermarks never pass a record it sends after them.
            for harness in harnesses {
                var last = Int64.min
                for element in harness.emitted {
                    switch element {
                    case .watermark(let watermark):
                        #expect(watermark.milliseconds > last)
                        last = watermark.milliseconds
                    case .record(let record):
                        #expect(record.sequencedWatermark.milliseconds >= last)
                    default: break
                    }
                }
            }
        }
    }

    @Test func aRestoredSubtaskStartsFromTheFurthestProgress() throws {
        let batches = batches(tweets(500, seed: 9), seed: 10)
        let earlier = SequencedWatermarks<Tweet>.sharedPrefix()
        let first = try OperatorHarness(subtask: 0, parallelism: 1) { SequencedWatermarks<Tweet>(delay: .seconds(5), earlier: earlier, context: $0) }
        for batch in batches.prefix(batches.count / 2) { try first.process(batch) }
        let snapshot = try first.snapshot()
        let rest = Array(batches.suffix(from: batches.count / 2))
        let restored = try OperatorHarness(subtask: 0, parallelism: 1, restoringFrom: [snapshot]) {
            SequencedWatermarks<Tweet>(delay: .seconds(5), earlier: SequencedWatermarks<Tweet>.sharedPrefix(), context: $0)
        }
        for batch in rest { try restored.process(batch) }
        let expected = try sequentialStamps(batches, granularity: 1).suffix(rest.joined().count)
        #expect(restored.records.map(\.sequencedWatermark.milliseconds) == Array(expected))
    }

    /// Records stamped by a parallel generator reach a window whose watermark lags (it comes
    /// only at the end): the results equal those of the records and watermarks in order.
    @Test func windowsJudgeLatenessByTheStampWhenTheirWatermarkLags() throws {
        typealias Harness = OperatorHarness<SlicedWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>>
        func makeHarness() throws -> Harness {
            let spec = try WindowSpec(size: .seconds(30), slide: .seconds(10))
            return try Harness(watermarkGranularity: 10_000) { context in
                try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(), emission: .allKeys, context: context)
            }
        }
        let batches = batches(tweets(2_000, seed: 4), seed: 5)
        let generator = try OperatorHarness(watermarkGranularity: 10_000) { BoundedOutOfOrdernessWatermarks<Tweet>(delay: .seconds(5), context: $0) }
        for batch in batches { try generator.process(batch) }
        let inOrder = try makeHarness(), lagging = try makeHarness()
        var stamp = Int64.min, stamped: [Hashtag] = [], watermarks: [Int64] = []
        for element in generator.emitted {
            switch element {
            case .record(let tweet):
                try inOrder.process([Hashtag(tag: tweet.hashtags[0], eventTime: tweet.eventTime)])
                stamped.append(Hashtag(tag: tweet.hashtags[0], eventTime: tweet.eventTime, sequencedWatermark: EventTime(milliseconds: stamp)))
            case .watermark(let watermark):
                try inOrder.process(watermark: watermark.milliseconds)
                stamp = watermark.milliseconds
                watermarks.append(stamp)
            default: break
            }
        }
        try lagging.process(stamped)
        for watermark in watermarks { try lagging.process(watermark: watermark) }
        try inOrder.finish()
        try lagging.finish()
        func rows(_ harness: Harness) -> [String] { harness.records.map { "\($0.windowEnd.milliseconds) \($0.key) \($0.value)" } }
        #expect(!rows(inOrder).isEmpty)
        #expect(rows(lagging) == rows(inOrder))
        #expect(lagging.metrics.value("late records") == inOrder.metrics.value("late records"))
        #expect(inOrder.metrics.value("late records") > 0)
    }
}

/// A value handed to the one thread that uses it from then on.
private final class OwnedByOneThread<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
