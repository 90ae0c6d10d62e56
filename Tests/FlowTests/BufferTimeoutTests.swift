import Flow
import FlowTesting
import Foundation
import Testing

/// Records held back for a fuller batch go on when the input goes quiet: a job whose source stops
/// emitting still delivers what it emitted, without waiting for the end of its input.
struct BufferTimeoutTests {
    /// The hash exchange is fed by the source's own task (flushed when the source is idle), or by
    /// a task behind a gate (flushed when its input is quiet for the buffer timeout).
    @Test(arguments: [Duration.zero, .milliseconds(5), .milliseconds(200)], [false, true])
    func recordsReachTheSinkWhileTheSourceIsQuiet(bufferTimeout: Duration, behindAGate: Bool) throws {
        // Batches of 1024 never fill with 10 records: only a flush sends them on.
        let job = StreamJob(parallelism: 2, batchSize: 1024, bufferTimeout: bufferTimeout)
        let arrived = CollectedNumbers()
        let source = QuietSource(records: Array(0..<10)) { arrived.values.count == 10 }
        var numbers = job.source("numbers") { _ in source }
        if behindAGate { numbers = numbers.inParallel().map("add zero") { $0 + 0 }.inSequence() }
        numbers
            .map("to key") { KeyString(String($0)) }
            .keyBy { $0 }
            .apply("back") { _ in MapOperator<KeyString, Int> { Int($0.string)! } }
            .sink("collect") { _ in CollectingSink(into: arrived) }
        try job.execute()
        #expect(source.wasDoneWhileRunning, "the records stayed in a batch until the input ended")
        #expect(arrived.values.sorted() == Array(0..<10))
    }

    @Test func aTimedReceiveSaysWhetherAnElementCameInTime() {
        let channel = BoundedChannel<Int>(capacity: 2)
        guard case .timedOut = channel.receive(waitingAtMost: 0.01) else { Issue.record("an empty channel gave an element"); return }
        channel.send(7)
        guard case .element(let value) = channel.receive(waitingAtMost: 0) else { Issue.record("a waiting element was not taken"); return }
        #expect(value == 7)
        channel.cancel()
        guard case .cancelled = channel.receive(waitingAtMost: 1) else { Issue.record("a cancelled channel did not say so"); return }
    }
}

/// Emits its records in one poll, then stays quiet (idle) until `isDone()` holds, or 60 seconds
/// pass; then it ends, having noted which.
final class QuietSource<Record: Sendable>: Source, @unchecked Sendable {
    let records: [Record]
    let isDone: @Sendable () -> Bool
    private var emitted = false
    private var quietSince: Double?
    /// Whether `isDone()` held while the source was still running.
    private(set) var wasDoneWhileRunning = false

    init(records: [Record], until isDone: @escaping @Sendable () -> Bool) {
        self.records = records
        self.isDone = isDone
    }

    func poll(into output: Collector<Record>, pacing: ReplayClock?) -> SourceStatus {
        if !emitted {
            output.emit(contentsOf: records)
            emitted = true
            return .ready
        }
        if isDone() {
            wasDoneWhileRunning = true
            return .finished
        }
        let now = SystemClock.monotonicSeconds()
        if quietSince == nil { quietSince = now }
        return now - quietSince! > 60 ? .finished : .idle
    }
}
