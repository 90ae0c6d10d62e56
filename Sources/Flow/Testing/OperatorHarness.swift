/// Runs one operator subtask on the test's thread, hosted as the runtime hosts it: feed it
/// batches and watermarks, take checkpoints, end its input, and read what it emitted, in order.
/// A harness can start from snapshots taken by other harnesses, at another parallelism, as a
/// restored job would (the model is Flink's one-input operator test harness).
///
/// ```swift
/// let harness = try OperatorHarness { _ in Deduplicate() }
/// try harness.process([event("a"), event("a")])
/// let snapshot = try harness.snapshot()
/// let restored = try OperatorHarness(subtask: 1, parallelism: 2, restoringFrom: [snapshot]) { _ in Deduplicate() }
/// ```
public final class OperatorHarness<Op: Operator> {
    /// The operator under test.
    public let op: Op
    /// The counters the operator added to.
    public let metrics = JobMetrics()
    private let collector = CollectingReceiver<Op.Output>()
    private let snapshots = SnapshotCollector()
    private var host: OperatorHost<Op>!
    private var nextCheckpointID: Int64

    /// Builds the operator as subtask `subtask` of `parallelism`, restored from `snapshots` (of any
    /// number of old subtasks, taken at checkpoint `checkpointID`) when given, and opens it.
    public init(operatorID: String = "operator-under-test", subtask: Int = 0, parallelism: Int = 1, maxParallelism: Int = 128,
                watermarkGranularity: Int64 = 1, restoringFrom restored: [OperatorSnapshot]? = nil, checkpointID: Int64 = 1,
                _ make: (SubtaskContext) throws -> Op) throws {
        let setup = SubtaskSetup(
            operatorID: operatorID, subtask: subtask, parallelism: parallelism, maxParallelism: maxParallelism,
            watermarkGranularity: watermarkGranularity, metrics: metrics, snapshots: snapshots, checkpoints: nil,
            restore: restored.map { .init(checkpointID: checkpointID, path: "the harness's snapshots", snapshots: $0) }
        )
        nextCheckpointID = restored == nil ? 1 : checkpointID + 1
        let context = setup.context
        op = try make(context)
        host = try OperatorHost(op, builtIn: context, setup: setup, downstream: collector)
    }

    public func process(_ records: [Op.Input]) throws { try host.receive(records) }

    public func process(watermark milliseconds: Int64) throws {
        try host.receive(watermark: EventTime(milliseconds: milliseconds))
    }

    /// Takes a checkpoint (a savepoint with `isSavepoint`) as a barrier would, and returns the
    /// operator's snapshot: its declared state and its counters.
    @discardableResult
    public func snapshot(isSavepoint: Bool = false) throws -> OperatorSnapshot {
        let id = nextCheckpointID
        nextCheckpointID += 1
        try host.receive(barrier: CheckpointBarrier(id: id, isSavepoint: isSavepoint))
        guard let snapshot = snapshots.taken.withLock({ $0.last }) else { preconditionFailure("the host took no snapshot") }
        return snapshot
    }

    /// Ends the input.
    public func finish() throws { try host.receiveEndOfInput() }

    /// Everything emitted so far.
    public var emitted: [EmittedElement<Op.Output>] { collector.elements }

    /// Only the records emitted so far.
    public var records: [Op.Output] {
        emitted.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }

    /// Forgets what was emitted so far.
    public func clear() { collector.elements.removeAll() }
}

/// Polls one source subtask on the test's thread, as the runtime's host does.
public final class SourceHarness<S: Source> {
    /// The source under test.
    public let source: S
    public let metrics = JobMetrics()
    private let collector = CollectingReceiver<S.Output>()
    private let output: Collector<S.Output>
    private let setup: SubtaskSetup
    private let snapshots = SnapshotCollector()
    private let pacing: ReplayClock?
    private var nextCheckpointID: Int64

    /// Builds the source as subtask `subtask` of `parallelism`, restored from `snapshots` when
    /// given, and opens it. With `speed`, polls pace the records by `clock`.
    public init(operatorID: String = "source-under-test", subtask: Int = 0, parallelism: Int = 1,
                restoringFrom restored: [OperatorSnapshot]? = nil, checkpointID: Int64 = 1,
                speed: ReplaySpeed = .max, clock: any WallClock = SystemClock(), _ make: (SubtaskContext) throws -> S) throws {
        setup = SubtaskSetup(
            operatorID: operatorID, subtask: subtask, parallelism: parallelism, maxParallelism: 128,
            watermarkGranularity: 1, metrics: metrics, snapshots: snapshots, checkpoints: nil,
            restore: restored.map { .init(checkpointID: checkpointID, path: "the harness's snapshots", snapshots: $0) }
        )
        nextCheckpointID = restored == nil ? 1 : checkpointID + 1
        output = Collector(collector)
        if case .factor(let factor) = speed { pacing = ReplayClock(factor: factor, clock: clock) } else { pacing = nil }
        source = try make(setup.context)
        try setup.restore(declared: source.declaredState, into: source.restoreState(from:))
        try source.open()
    }

    /// Polls once and sends what the poll emitted.
    @discardableResult
    public func poll() throws -> SourceStatus {
        let status = try source.poll(into: output, pacing: pacing)
        if output.hasPending { try output.sendBatch() }
        if status == .finished { try output.sendEndOfInput() }
        return status
    }

    /// Polls until the source finishes or `maximumPolls` polls were made; returns the last status.
    @discardableResult
    public func pollToEnd(maximumPolls: Int = 1_000_000) throws -> SourceStatus {
        var status = SourceStatus.ready
        for _ in 0..<maximumPolls {
            status = try poll()
            if status == .finished { break }
        }
        return status
    }

    /// Takes a checkpoint between polls, as the host does, and returns the source's snapshot.
    @discardableResult
    public func snapshot(isSavepoint: Bool = false) throws -> OperatorSnapshot {
        let barrier = CheckpointBarrier(id: nextCheckpointID, isSavepoint: isSavepoint)
        nextCheckpointID += 1
        try setup.takeSnapshot(for: barrier, declared: source.declaredState) { try source.snapshotState(into: &$0) }
        try output.send(barrier: barrier)
        guard let snapshot = snapshots.taken.withLock({ $0.last }) else { preconditionFailure("the host took no snapshot") }
        return snapshot
    }

    /// Everything emitted so far.
    public var emitted: [EmittedElement<S.Output>] { collector.elements }

    /// Only the records emitted so far.
    public var records: [S.Output] {
        emitted.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }

    /// Forgets what was emitted so far.
    public func clear() { collector.elements.removeAll() }
}

/// One thing an operator emitted, as a harness saw it.
public enum EmittedElement<Record> {
    case record(Record)
    case watermark(EventTime)
    /// A checkpoint's barrier passed on (with the checkpoint's id).
    case checkpoint(Int64)
    case endOfInput
}

/// A receiver that keeps every element it is given (a harness's output).
final class CollectingReceiver<Record: Sendable>: ElementReceiver {
    var elements: [EmittedElement<Record>] = []

    func receive(_ batch: [Record]) { elements.append(contentsOf: batch.map { .record($0) }) }
    func receive(watermark: EventTime) { elements.append(.watermark(watermark)) }
    func receive(barrier: CheckpointBarrier) { elements.append(.checkpoint(barrier.id)) }
    func receiveEndOfInput() { elements.append(.endOfInput) }
}

/// Keeps the snapshots a harness's host takes.
final class SnapshotCollector: SnapshotReceiver {
    let taken = Locked<[OperatorSnapshot]>([])
    func acknowledge(_ barrier: CheckpointBarrier, _ snapshot: OperatorSnapshot) { taken.withLock { $0.append(snapshot) } }
}

/// Records what the operator under an ``OperatorHarness`` emits to a side output, in order with
/// the barriers and end of input its host sends on after it. Make it before the harness: the
/// operator takes its side outputs when it is built.
public final class SideOutputRecorder<Record: Sendable> {
    private let receiver = CollectingReceiver<Record>()

    /// Takes side output `output` of subtask `subtask`.
    public init(_ output: SideOutput<Record>, subtask: Int = 0) {
        output.edge.attach(receiver, subtask: subtask)
    }

    /// Everything sent to the side output so far.
    public var emitted: [EmittedElement<Record>] { receiver.elements }

    /// Only the records sent so far.
    public var records: [Record] {
        emitted.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }
}
