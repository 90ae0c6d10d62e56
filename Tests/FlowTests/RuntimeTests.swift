import Flow
import FlowTesting
import Foundation
import Testing

struct WatermarkTrackerTests {
    @Test func combinedWatermarkIsTheMinimumOverInputs() {
        var tracker = WatermarkTracker(inputs: 2)
        #expect(tracker.update(EventTime(milliseconds: 10), forInput: 0) == nil)
        #expect(tracker.update(EventTime(milliseconds: 5), forInput: 1) == EventTime(milliseconds: 5))
        #expect(tracker.update(EventTime(milliseconds: 20), forInput: 1) == EventTime(milliseconds: 10))
    }

    @Test func endedInputNoLongerHoldsTimeBack() {
        var tracker = WatermarkTracker(inputs: 2)
        _ = tracker.update(EventTime(milliseconds: 50), forInput: 0)
        #expect(tracker.end(input: 1) == EventTime(milliseconds: 50))
        #expect(!tracker.allEnded)
        _ = tracker.end(input: 0)
        #expect(tracker.allEnded)
    }
}

struct BoundedChannelTests {
    @Test func deliversInOrderAndBlocksWhenFull() throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let received = ReceivedNumbers()
        let done = DispatchSemaphore(value: 0)
        Thread {
            while let value = channel.receive() {
                received.append(value)
                if value == 999 { break }
            }
            done.signal()
        }.start()
        for value in 0..<1000 { channel.send(value) }
        done.wait()
        #expect(received.values == Array(0..<1000))
    }

    @Test func cancelWakesReceivers() {
        let channel = BoundedChannel<Int>(capacity: 1)
        channel.cancel()
        #expect(channel.receive() == nil)
        #expect(channel.send(1) == false)
    }
}

/// Numbers collected across threads in a test.
final class ReceivedNumbers: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(_ value: Int) { lock.withLock { storage.append(value) } }
    var values: [Int] { lock.withLock { storage } }
}

struct ExecutionPlanTests {
    @Test func operatorsChainUnlessAnExchangeSeparatesThem() {
        let job = StreamJob(parallelism: 2)
        job.source("numbers") { output, _ in NumberSource(count: 10, output: output) }
            .inParallel()
            .map("square") { $0 * $0 }
            .filter("even") { $0 % 2 == 0 }
            .inSequence()
            .map("negate") { -$0 }
            .sink("collect") { _ in CollectingSink(into: CollectedNumbers()) }
        let tasks = job.plan().tasks
        #expect(tasks.map(\.operatorNames) == [["numbers"], ["square", "even"], ["negate", "collect"]])
        #expect(tasks.map(\.parallelism) == [1, 2, 1])
        #expect(tasks.map(\.input) == [nil, .orderedRebalance, .orderedGather])
    }

    @Test(arguments: [1, 2, 4])
    func orderedParallelRegionKeepsTheOrder(parallelism: Int) throws {
        let job = StreamJob(parallelism: parallelism, batchSize: 7)
        let collected = CollectedNumbers()
        job.source("numbers") { output, _ in NumberSource(count: 10_000, output: output) }
            .inParallel()
            .map("square") { $0 * $0 }
            .inSequence()
            .sink("collect") { _ in CollectingSink(into: collected) }
        try job.execute()
        #expect(collected.values == (0..<10_000).map { $0 * $0 })
    }

    @Test(arguments: [1, 2, 4])
    func hashPartitioningDeliversEveryRecordOnce(parallelism: Int) throws {
        let job = StreamJob(parallelism: parallelism, batchSize: 5)
        let collected = CollectedNumbers()
        job.source("numbers") { output, _ in NumberSource(count: 5_000, output: output) }
            .map("to key") { KeyString(String($0 % 97)) }
            .keyBy { $0 }
            .apply("subtask") { output, context in
                MapOperator<KeyString, Int>(output: output) { KeyGroup(of: $0, maxParallelism: 128).subtask(parallelism: context.parallelism, maxParallelism: 128) * 1000 + context.subtaskIndex }
            }
            .sink("collect") { _ in CollectingSink(into: collected) }
        try job.execute()
        #expect(collected.values.count == 5_000)
        // Each record reached the subtask that owns its key group.
        #expect(collected.values.allSatisfy { $0 / 1000 == $0 % 1000 })
    }
}

/// Emits 0..<count in batches of 64, then the end of input.
final class NumberSource: SourceRunner {
    let count: Int
    let output: Output<Int>
    init(count: Int, output: Output<Int>) {
        self.count = count
        self.output = output
    }
    func run() throws {
        for value in 0..<count {
            output.emit(value)
            if value % 64 == 63 { try output.flush() }
        }
        try output.emitEndOfInput()
    }
}

final class CollectedNumbers: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(contentsOf values: [Int]) { lock.withLock { storage.append(contentsOf: values) } }
    var values: [Int] { lock.withLock { storage } }
}

final class CollectingSink: ElementReceiver {
    let target: CollectedNumbers
    init(into target: CollectedNumbers) { self.target = target }
    func receive(_ batch: [Int]) { target.append(contentsOf: batch) }
    func receive(watermark: EventTime) {}
    func receive(barrier: CheckpointBarrier) {}
    func receiveEndOfInput() {}
}

struct ManualClockTests {
    @Test func sleepingAdvancesTheClock() {
        let clock = ManualClock(startingAt: 10)
        clock.sleep(seconds: 2.5)
        clock.advance(by: 1)
        #expect(clock.now() == 13.5)
        #expect(clock.totalSlept == 2.5)
    }
}

struct OutputTests {
    /// Batches sent downstream, in order.
    final class BatchRecorder: ElementReceiver {
        var batches: [[Int]] = []
        func receive(_ batch: [Int]) { batches.append(batch) }
        func receive(watermark: EventTime) {}
        func receive(barrier: CheckpointBarrier) {}
        func receiveEndOfInput() {}
    }

    @Test func aWholeBatchFollowsThePendingRecordsOrStandsAlone() throws {
        let recorder = BatchRecorder()
        let output = Output(recorder)
        output.emit(batch: [1, 2, 3])
        try output.flush()
        output.emit(4)
        output.emit(batch: [5, 6])
        output.emit(7)
        try output.flush()
        try output.flush()
        #expect(recorder.batches == [[1, 2, 3], [4, 5, 6, 7], []])
    }
}
