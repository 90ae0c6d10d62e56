import Flow
import FlowTesting
import Foundation
import Testing

struct WatermarkIdlenessTests {
    @Test func anIdleInputNoLongerHoldsTheMinimumBackUntilItSendsAgain() {
        var tracker = WatermarkTracker(inputs: 3)
        #expect(tracker.update(EventTime(milliseconds: 50), forInput: 0) == nil)
        #expect(tracker.update(EventTime(milliseconds: 70), forInput: 1) == nil)
        #expect(tracker.markIdle(2) == EventTime(milliseconds: 50))
        #expect(tracker.update(EventTime(milliseconds: 90), forInput: 0) == EventTime(milliseconds: 70))
        // Input 2 wakes behind the combined watermark: time does not go back, nor forward until it catches up.
        #expect(tracker.update(EventTime(milliseconds: 10), forInput: 2) == nil)
        #expect(tracker.update(EventTime(milliseconds: 80), forInput: 1) == nil)
        #expect(tracker.update(EventTime(milliseconds: 75), forInput: 2) == EventTime(milliseconds: 75))
        #expect(tracker.current == EventTime(milliseconds: 75))
    }

    /// Silent senders are found together, in any order: the last one marked must not leave the
    /// others' time behind.
    @Test func whenEveryInputIsIdleTimeGoesToTheFurthestOfThem() {
        var tracker = WatermarkTracker(inputs: 3)
        #expect(tracker.update(EventTime(milliseconds: 40), forInput: 0) == nil)
        #expect(tracker.update(EventTime(milliseconds: 30), forInput: 1) == nil)
        #expect(tracker.markIdle(0) == nil)
        #expect(tracker.markIdle(2) == EventTime(milliseconds: 30))
        #expect(tracker.markIdle(1) == EventTime(milliseconds: 40))
        #expect(tracker.update(EventTime(milliseconds: 35), forInput: 2) == nil)
        #expect(tracker.current == EventTime(milliseconds: 40))
    }
}

/// With an idle timeout, a parallel watermark generator whose subtask gets no records (every key
/// goes to the other one) stops holding back the watermark downstream; the records' windows fire
/// while the source still runs.
struct IdleInputTests {
    @Test func aSilentSubtaskStopsHoldingBackEventTime() throws {
        let job = StreamJob(parallelism: 2, idleTimeout: .milliseconds(100))
        let watermarks = MaxWatermark()
        let source = QuietSource<Int64>(records: [1_000, 2_000, 3_000]) { watermarks.value.withLock { $0 } >= EventTime(milliseconds: 3_000) }
        job.source("times") { _ in source }
            .keyBy { _ in KeyString("one key") }
            .apply("event time") { _ in WatermarkPerBatch() }
            .global()
            .sink("watch") { _ in WatermarkSink(into: watermarks) }
        try job.execute()
        #expect(source.wasDoneWhileRunning, "the silent subtask held the watermark back while the source ran")
    }
}

/// The largest watermark a sink has seen, across threads.
final class MaxWatermark: Sendable {
    let value = Locked(EventTime.min)
}

/// Makes the watermark: the largest time of each batch.
final class WatermarkPerBatch: Operator {
    var forwardsWatermarks: Bool { false }
    func process(_ batch: [Int64], into output: Collector<Int64>) throws {
        output.emit(batch: batch)
        if let largest = batch.max() { try output.emit(watermark: EventTime(milliseconds: largest)) }
    }
}

final class WatermarkSink: Sink {
    let watermarks: MaxWatermark
    init(into watermarks: MaxWatermark) { self.watermarks = watermarks }
    func process(_ batch: [Int64], into output: Collector<Never>) {}
    func onWatermark(_ watermark: EventTime, into output: Collector<Never>) {
        watermarks.value.withLock { $0 = max($0, watermark) }
    }
}
