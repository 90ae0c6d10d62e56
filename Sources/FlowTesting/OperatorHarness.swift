import Flow

/// Runs one operator on the test's thread: feed it batches, watermarks and the end of input, and
/// read what it emitted, in order. The model is Flink's one-input operator test harness.
///
/// ```swift
/// let harness = OperatorHarness<Hashtag, KeyedCount> { output, context in makeWindow(output, context) }
/// try harness.process([tag("swift", at: 1_000)])
/// try harness.process(watermark: 9_999)
/// #expect(harness.records == [...])
/// ```
public final class OperatorHarness<In: Sendable, Out: Sendable> {
    private let collector = CollectingReceiver<Out>()
    private var operatorUnderTest: (any ElementReceiver<In>)!
    /// The counters the operator added to.
    public let metrics = JobMetrics()
    private let snapshotCollector = SnapshotCollector()

    /// The snapshots the operator reported at barriers, in order.
    public var snapshots: [OperatorSnapshot] { snapshotCollector.snapshots.withLock { $0 } }

    /// Builds the operator as the runtime would, as subtask `subtask` of `parallelism`.
    /// With `restored`, the operator starts from that state, as after a restore.
    public init(subtask: Int = 0, parallelism: Int = 1, watermarkGranularity: Int64 = 1, restored: OperatorRestore? = nil,
                _ make: (Output<Out>, SubtaskContext) throws -> any ElementReceiver<In>) rethrows {
        let context = SubtaskContext(subtaskIndex: subtask, parallelism: parallelism, maxParallelism: 128,
                                     watermarkGranularity: watermarkGranularity, metrics: metrics,
                                     operatorID: "operator-under-test", snapshotReceiver: snapshotCollector, restored: restored)
        operatorUnderTest = try make(Output(collector), context)
    }

    public func process(_ records: [In]) throws { try operatorUnderTest.receive(records) }
    public func process(watermark milliseconds: Int64) throws {
        try operatorUnderTest.receive(watermark: EventTime(milliseconds: milliseconds))
    }
    public func process(barrier: CheckpointBarrier) throws { try operatorUnderTest.receive(barrier: barrier) }
    public func finish() throws { try operatorUnderTest.receiveEndOfInput() }

    /// Everything emitted so far.
    public var emitted: [EmittedElement<Out>] { collector.elements }

    /// Only the records emitted so far.
    public var records: [Out] {
        emitted.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }

    /// Forgets what was emitted so far.
    public func clear() { collector.elements.removeAll() }
}

/// A receiver that keeps every element it is given (the harness's output).
final class CollectingReceiver<Record: Sendable>: ElementReceiver {
    var elements: [EmittedElement<Record>] = []

    func receive(_ batch: [Record]) { elements.append(contentsOf: batch.map { .record($0) }) }
    func receive(watermark: EventTime) { elements.append(.watermark(watermark)) }
    func receive(barrier: CheckpointBarrier) { elements.append(.barrier(barrier)) }
    func receiveEndOfInput() { elements.append(.endOfInput) }
}

/// One thing an operator emitted, as the harness saw it.
public enum EmittedElement<Record> {
    case record(Record)
    case watermark(EventTime)
    case barrier(CheckpointBarrier)
    case endOfInput
}

/// Keeps the snapshots an operator under test reports.
final class SnapshotCollector: SnapshotReceiver {
    let snapshots = Locked<[OperatorSnapshot]>([])
    func acknowledge(_ barrier: CheckpointBarrier, _ snapshot: OperatorSnapshot) { snapshots.withLock { $0.append(snapshot) } }
}
