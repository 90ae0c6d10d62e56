import Flow
@testable import Kafka
import Testing

/// Watermarks per Kafka partition: the minimum over partitions, idle and finished partitions
/// left out, never going back.
struct PartitionWatermarksTests {
    private func tracker(idle: Duration? = nil) -> PartitionWatermarks {
        var watermarks = PartitionWatermarks(delay: .seconds(5), idleTimeout: idle)
        for partition in 0..<3 { watermarks.track(partition, now: 0) }
        return watermarks
    }

    @Test func thereIsNoWatermarkUntilEveryPartitionSentARecord() {
        var watermarks = tracker()
        watermarks.record(0, eventTime: 100_000, now: 1)
        watermarks.record(1, eventTime: 90_000, now: 1)
        #expect(watermarks.advance(now: 1) == nil)
        watermarks.record(2, eventTime: 95_000, now: 1)
        #expect(watermarks.advance(now: 1) == EventTime(milliseconds: 85_000))
    }

    @Test func theWatermarkIsTheSlowestPartitionsAndNeverGoesBack() {
        var watermarks = tracker()
        for partition in 0..<3 { watermarks.record(partition, eventTime: 50_000 + Int64(partition) * 1_000, now: 1) }
        #expect(watermarks.advance(now: 1) == EventTime(milliseconds: 45_000))
        watermarks.record(2, eventTime: 80_000, now: 2)
        #expect(watermarks.advance(now: 2) == nil, "partition 0 still holds event time at 45 s")
        watermarks.record(0, eventTime: 70_000, now: 2)
        #expect(watermarks.advance(now: 2) == EventTime(milliseconds: 46_000))
        watermarks.record(1, eventTime: 40_000, now: 3)  // out of order within its partition
        #expect(watermarks.advance(now: 3) == nil)
        #expect(watermarks.emitted == 46_000)
    }

    @Test func anIdlePartitionStopsHoldingEventTimeBackUntilItSendsAgain() {
        var watermarks = tracker(idle: .seconds(10))
        watermarks.record(0, eventTime: 100_000, now: 1)
        watermarks.record(1, eventTime: 120_000, now: 1)
        #expect(watermarks.advance(now: 5) == nil, "partition 2 has sent nothing and is not idle yet")
        #expect(watermarks.advance(now: 10) == EventTime(milliseconds: 95_000), "partition 2 silent for 10 s is idle")
        watermarks.record(0, eventTime: 130_000, now: 12)
        #expect(watermarks.advance(now: 12) == EventTime(milliseconds: 125_000), "partition 1, silent since 1 s, is idle too")
        watermarks.record(2, eventTime: 50_000, now: 13)
        watermarks.record(0, eventTime: 140_000, now: 13)
        #expect(watermarks.advance(now: 13) == nil, "partition 2 sends again: it holds event time back, which never goes back")
    }

    @Test func aFinishedPartitionIsLeftOut() {
        var watermarks = tracker()
        watermarks.record(0, eventTime: 100_000, now: 1)
        watermarks.record(1, eventTime: 200_000, now: 1)
        watermarks.finish(2)
        #expect(watermarks.advance(now: 1) == EventTime(milliseconds: 95_000))
        watermarks.finish(0)
        #expect(watermarks.advance(now: 1) == EventTime(milliseconds: 195_000))
        watermarks.finish(1)
        #expect(watermarks.advance(now: 1) == nil)
    }

    @Test func aRestoredWatermarkIsNotSentAgain() {
        var watermarks = tracker()
        watermarks.restoreEmitted(95_000)
        for partition in 0..<3 { watermarks.record(partition, eventTime: 100_000, now: 1) }
        #expect(watermarks.advance(now: 1) == nil)
        for partition in 0..<3 { watermarks.record(partition, eventTime: 101_000, now: 1) }
        #expect(watermarks.advance(now: 1) == EventTime(milliseconds: 96_000))
    }
}
