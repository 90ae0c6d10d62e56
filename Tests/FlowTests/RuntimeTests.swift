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

    /// A receiver that takes 50 ms an element, with 10 ms of elements allowed in flight: once it
    /// has been measured, the sender stays at most one element ahead, whatever the capacity.
    @Test func aSlowReceiverShrinksWhatTheChannelHolds() {
        let channel = BoundedChannel<Int>(capacity: 8, inFlightTarget: 0.01)
        let sent = Locked(0)
        let sender = Thread {
            for value in 0..<12 {
                channel.send(value)
                sent.withLock { $0 += 1 }
            }
        }
        sender.start()
        var aheadOnceMeasured: [Int] = []
        for index in 0..<12 {
            #expect(channel.receive() == index)
            if index >= 3 { aheadOnceMeasured.append(sent.withLock { $0 } - index) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(aheadOnceMeasured.allSatisfy { $0 <= 2 }, "the sender ran \(aheadOnceMeasured) elements ahead")
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
        job.source("numbers") { _ in NumberSource(count: 10) }
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
        job.source("numbers") { _ in NumberSource(count: 10_000) }
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
        job.source("numbers") { _ in NumberSource(count: 5_000) }
            .map("to key") { KeyString(String($0 % 97)) }
            .keyBy { $0 }
            .apply("subtask") { context in
                MapOperator<KeyString, Int> { KeyGroup(of: $0, maxParallelism: 128).subtask(parallelism: context.parallelism, maxParallelism: 128) * 1000 + context.subtaskIndex }
            }
            .sink("collect") { _ in CollectingSink(into: collected) }
        try job.execute()
        #expect(collected.values.count == 5_000)
        // Each record reached the subtask that owns its key group.
        #expect(collected.values.allSatisfy { $0 / 1000 == $0 % 1000 })
    }
}

/// Emits 0..<count, 64 numbers per poll.
final class NumberSource: Source {
    let count: Int
    private(set) var next = 0
    init(count: Int) { self.count = count }

    var declaredState: [StateDeclaration] { [.splitList("next")] }

    func restoreState(from state: RestoredState) throws {
        for var reader in state.list("next") { next = max(next, try reader.readCounter()) }
    }

    func poll(into output: Collector<Int>, pacing: ReplayClock?) -> SourceStatus {
        guard next < count else { return .finished }
        let end = min(next + 64, count)
        output.emit(contentsOf: next..<end)
        next = end
        return .ready
    }

    func snapshotState(into snapshot: inout StateSnapshot) {
        var writer = StateWriter()
        writer.write(next)
        snapshot.add("next", writer)
    }
}

final class CollectedNumbers: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(contentsOf values: [Int]) { lock.withLock { storage.append(contentsOf: values) } }
    var values: [Int] { lock.withLock { storage } }
}

final class CollectingSink: Sink {
    let target: CollectedNumbers
    init(into target: CollectedNumbers) { self.target = target }
    func process(_ batch: [Int], into output: Collector<Never>) { target.append(contentsOf: batch) }
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

