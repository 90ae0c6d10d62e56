import Flow
import FlowTesting
import Operators
import Testing
import TweetLog

/// Window state snapshotted at one parallelism and restored at another: the windows fired after
/// the restore are those an uninterrupted operator fires.
struct WindowCheckpointTests {
    typealias Harness = OperatorHarness<SlicedWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>>

    private static let spec = try! WindowSpec(size: .seconds(30), slide: .seconds(10))

    private func window(subtask: Int, of parallelism: Int, restoringFrom snapshots: [OperatorSnapshot]? = nil, top: Int? = nil,
                        lateness: Duration = .zero) throws -> Harness {
        try Harness(subtask: subtask, parallelism: parallelism, restoringFrom: snapshots) { context in
            try SlicedWindowOperator(spec: Self.spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                     emission: top.map { .top(k: $0, isGreater: >) } ?? .allKeys, allowedLateness: lateness,
                                     context: context)
        }
    }

    /// 600 hashtags over 100 keys and two minutes, up to 12 s out of order (some late).
    private let records: [Hashtag] = {
        var random = SplitMix64(seed: 3)
        return (0..<600).map { index in
            Hashtag(tag: KeyString("tag\(Int(random.next() % 100))"), eventTime: EventTime(milliseconds: 20_000 + Int64(index) * 200 - Int64(random.next() % 12_000)))
        }
    }()

    /// Feeds `records` to the subtasks that own their keys, with a watermark after each batch of 50.
    private func feed(_ records: ArraySlice<Hashtag>, to harnesses: [Harness]) throws {
        var watermark = Int64.min
        for batch in stride(from: records.startIndex, to: records.endIndex, by: 50) {
            let part = records[batch..<min(batch + 50, records.endIndex)]
            for (subtask, harness) in harnesses.enumerated() {
                try harness.process(part.filter { KeyGroup(of: $0.tag, maxParallelism: 128).subtask(parallelism: harnesses.count, maxParallelism: 128) == subtask })
            }
            watermark = max(watermark, part.map(\.eventTime.milliseconds).max()! - 3_000)
            for harness in harnesses { try harness.process(watermark: watermark) }
        }
    }

    private func rows(_ harnesses: [Harness]) -> [String] {
        harnesses.flatMap(\.records).map { "\($0.windowEnd.milliseconds) \($0.key) \($0.value)" }.sorted()
    }

    @Test(arguments: [(2, 1), (2, 4), (3, 2), (1, 3)])
    func restoredAtAnotherParallelismFiresTheSameWindows(before: Int, after: Int) throws {
        let uninterrupted = [try window(subtask: 0, of: 1)]
        try feed(records[...], to: uninterrupted)
        try uninterrupted[0].finish()

        let first = try (0..<before).map { try window(subtask: $0, of: before) }
        try feed(records[..<300], to: first)
        let snapshots = try first.map { try $0.snapshot() }
        #expect(snapshots.allSatisfy { snapshot in
            snapshot.states.filter { $0.redistribution == .keyed }.flatMap(\.entries).allSatisfy { snapshot.keyGroupRange.contains(KeyGroup($0.keyGroup!)) }
        })

        let second = try (0..<after).map { try window(subtask: $0, of: after, restoringFrom: snapshots) }
        try feed(records[300...], to: second)
        for harness in second { try harness.finish() }
        #expect((rows(first) + rows(second)).sorted() == rows(uninterrupted))
        // The late records counted before the checkpoint are in the snapshots' counters (which the
        // runtime restores), those after in the new subtasks'.
        let lateBefore = snapshots.reduce(0) { $0 + ($1.counters["late records"] ?? 0) }
        #expect(lateBefore + second.reduce(0) { $0 + $1.metrics.value("late records") } == uninterrupted[0].metrics.value("late records"))
        #expect(uninterrupted[0].metrics.value("late records") > 0)
    }

    /// With allowed lateness, a checkpoint taken while windows wait to fire again (late records
    /// arrived, their watermark not yet) restores at another parallelism: each window's last
    /// result per key is the uninterrupted one's.
    @Test(arguments: [(2, 1), (1, 3)])
    func windowsWaitingToFireAgainSurviveARestore(before: Int, after: Int) throws {
        let lateness = Duration.seconds(20)
        func send(_ part: ArraySlice<Hashtag>, to harnesses: [Harness]) throws {
            for (subtask, harness) in harnesses.enumerated() {
                try harness.process(part.filter { KeyGroup(of: $0.tag, maxParallelism: 128).subtask(parallelism: harnesses.count, maxParallelism: 128) == subtask })
            }
        }
        let uninterrupted = [try window(subtask: 0, of: 1, lateness: lateness)]
        try feed(records[..<300], to: uninterrupted)
        try send(records[300..<325], to: uninterrupted)
        try feed(records[325...], to: uninterrupted)
        try uninterrupted[0].finish()
        #expect(uninterrupted[0].metrics.value("windows updated") > 0, "no window took late records within the lateness")

        let first = try (0..<before).map { try window(subtask: $0, of: before, lateness: lateness) }
        try feed(records[..<300], to: first)
        try send(records[300..<325], to: first)
        let snapshots = try first.map { try $0.snapshot() }
        let second = try (0..<after).map { try window(subtask: $0, of: after, restoringFrom: snapshots, lateness: lateness) }
        try feed(records[325...], to: second)
        for harness in second { try harness.finish() }

        func lastValues(_ results: [KeyedCount]) -> [String: Int64] {
            var last: [String: Int64] = [:]
            for result in results { last["\(result.windowEnd.milliseconds) \(result.key)"] = result.value }
            return last
        }
        #expect(lastValues(first.flatMap(\.records) + second.flatMap(\.records)) == lastValues(uninterrupted[0].records))
    }
}
