import Flow
import FlowTesting
import Operators
import Testing
import TweetLog

/// Event-time semantics of sliding windows, on the operator harness.
struct SlicedWindowOperatorTests {
    typealias Harness = OperatorHarness<SlicedWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>>

    private func makeHarness(size: Duration = .seconds(30), slide: Duration = .seconds(10), top: Int? = nil,
                             byLargest: Bool = false) throws -> Harness {
        let spec = try WindowSpec(size: size, slide: slide)
        return try Harness { context in
            try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                 emission: top.map { byLargest ? .largest(k: $0) : .top(k: $0, isGreater: >) } ?? .allKeys, context: context)
        }
    }

    private func tag(_ text: String, at time: Int64) -> Hashtag { Hashtag(tag: KeyString(text), eventTime: EventTime(milliseconds: time)) }

    private func rows(_ harness: Harness) -> [String] {
        harness.records.map { "\($0.windowEnd.milliseconds) \($0.key) \($0.value)" }
    }

    @Test func windowFiresWhenWatermarkReachesEndMinusOne() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 1_000), tag("a", at: 9_999), tag("b", at: 10_000)])
        try harness.process(watermark: 9_998)
        #expect(harness.records.isEmpty)
        try harness.process(watermark: 9_999)
        #expect(rows(harness) == ["10000 a 2"])
        try harness.process(watermark: 19_999)
        #expect(rows(harness) == ["10000 a 2", "20000 a 2", "20000 b 1"])
    }

    @Test func slidingWindowsOverlapWithoutCopyingRecords() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 5_000), tag("a", at: 25_000)])
        try harness.finish()
        // Windows ending 10s…50s hold the records within [end − 30s, end).
        #expect(rows(harness) == ["10000 a 1", "20000 a 1", "30000 a 2", "40000 a 1", "50000 a 1"])
    }

    @Test func lateRecordCountsOnlyInWindowsNotYetFired() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 25_000)])
        try harness.process(watermark: 29_999) // fires 10s, 20s, 30s
        harness.clear()
        try harness.process([tag("a", at: 15_000)]) // late for 20s and 30s; counts in 40s
        #expect(harness.metrics.value("late records") == 1)
        try harness.finish()
        #expect(rows(harness) == ["40000 a 2", "50000 a 1"])
    }

    @Test func recordLateForAllItsWindowsIsDropped() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 100_000)])
        try harness.process(watermark: 99_999)
        harness.clear()
        try harness.process([tag("b", at: 1_000)])
        try harness.finish()
        #expect(harness.metrics.value("late records") == 1)
        #expect(!rows(harness).contains { $0.contains(" b ") })
    }

    @Test func endOfInputFiresEveryRemainingWindowAcrossGaps() throws {
        let harness = try makeHarness(size: .seconds(10), slide: .seconds(10))
        try harness.process([tag("a", at: -5_000), tag("a", at: 1_000_000)])
        try harness.finish()
        #expect(rows(harness) == ["0 a 1", "1010000 a 1"])
        #expect(harness.metrics.value("windows fired") == 2)
    }

    @Test func topKBreaksTiesByKeyBytes() throws {
        let harness = try makeHarness(top: 2)
        try harness.process([tag("b", at: 1), tag("c", at: 2), tag("a", at: 3), tag("c", at: 4)])
        try harness.process(watermark: 9_999)
        #expect(rows(harness) == ["10000 c 2", "10000 a 1"])
    }

    @Test(arguments: [1, 7, 1000])
    func outputDoesNotDependOnBatchSize(batchSize: Int) throws {
        var generator = SplitMix64(seed: 42)
        var records: [Hashtag] = []
        for index in 0..<3_000 {
            let time = Int64(index * 40) - Int64(generator.next() % 6_000)
            records.append(tag("t\(generator.next() % 15)", at: time))
        }
        let reference = try run(records, batchSize: records.count)
        #expect(try run(records, batchSize: batchSize) == reference)
    }

    /// `.largest(k:)` is `.top(k:isGreater: >)` without the closure: same rows, ties included
    /// (30 tags over few records tie often, at every rank).
    @Test(arguments: [1, 3, 20])
    func largestCountsRankAsTopByGreater(k: Int) throws {
        var generator = SplitMix64(seed: UInt64(k))
        var records: [Hashtag] = []
        for index in 0..<2_000 {
            records.append(tag("t\(generator.next() % 30)", at: Int64(index * 500) - Int64(generator.next() % 3_000)))
        }
        let byClosure = try run(records, batchSize: 64, harness: makeHarness(top: k))
        let byLargest = try run(records, batchSize: 64, harness: makeHarness(top: k, byLargest: true))
        #expect(byLargest == byClosure)
        #expect(byClosure.count > 100)
    }

    /// Feeds records in batches with a watermark after each batch crossing, as the assigner would.
    private func run(_ records: [Hashtag], batchSize: Int, harness given: Harness? = nil) throws -> [String] {
        let harness = try given ?? makeHarness(top: 3)
        var maximum = Int64.min
        var batch: [Hashtag] = []
        for record in records {
            batch.append(record)
            if record.eventTime.milliseconds > maximum {
                maximum = record.eventTime.milliseconds
                try harness.process(batch)
                batch.removeAll()
                try harness.process(watermark: maximum - 2_000)
            } else if batch.count >= batchSize {
                try harness.process(batch)
                batch.removeAll()
            }
        }
        try harness.process(batch)
        try harness.finish()
        return rows(harness)
    }
}
