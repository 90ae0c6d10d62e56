import Flow
import FlowTesting
import Operators
import Testing
import TweetLog

struct SessionWindowOperatorTests {
    typealias Harness = OperatorHarness<SessionWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>>

    private func makeHarness() throws -> Harness {
        try Harness { context in
            try SessionWindowOperator(gap: .seconds(10), key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                  context: context)
        }
    }

    private func tag(_ text: String, at time: Int64) -> Hashtag { Hashtag(tag: KeyString(text), eventTime: EventTime(milliseconds: time)) }

    private func rows(_ harness: Harness) -> [String] {
        harness.records.map { "\($0.key) [\($0.windowStart.milliseconds),\($0.windowEnd.milliseconds)) \($0.value)" }
    }

    @Test func recordsCloserThanTheGapShareASession() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 0), tag("a", at: 8_000), tag("b", at: 1_000), tag("a", at: 30_000)])
        try harness.process(watermark: 17_999)
        // b's session ends first (11 s), then a's (18 s); a's later session is still open.
        #expect(rows(harness) == ["b [1000,11000) 1", "a [0,18000) 2"])
        try harness.finish()
        #expect(rows(harness) == ["b [1000,11000) 1", "a [0,18000) 2", "a [30000,40000) 1"])
    }

    @Test func sessionsMergeWhenARecordBridgesThem() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 0), tag("a", at: 15_000), tag("a", at: 7_000)])
        try harness.finish()
        #expect(rows(harness) == ["a [0,25000) 3"])
    }

    @Test func recordForAFiredSessionIsLate() throws {
        let harness = try makeHarness()
        try harness.process([tag("a", at: 50_000)])
        try harness.process(watermark: 40_000)
        try harness.process([tag("b", at: 1_000)])
        #expect(harness.metrics.value("late records") == 1)
        try harness.finish()
        #expect(rows(harness) == ["a [50000,60000) 1"])
    }

    @Test func timersFireInTimeThenKeyOrder() {
        var timers = EventTimeTimers<String>()
        for (time, key) in [(5, "b"), (3, "z"), (5, "a"), (9, "c")] { timers.register(at: Int64(time), for: key) }
        #expect(timers.popDue(atOrBefore: 5).map { "\($0.time)\($0.key)" } == ["3z", "5a", "5b"])
        #expect(!timers.isEmpty)
    }
}
