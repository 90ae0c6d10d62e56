/// A typed stream of records in a job being built: each method appends an operator and returns
/// the stream of its output.
///
/// ```swift
/// let job = StreamJob(parallelism: 2)
/// job.source("numbers") { _ in NumberSource() }
///     .map("double") { $0 * 2 }
///     .sink("print") { _ in PrintSink() }
/// try job.execute()
/// ```
///
/// Every operator has an identity, `id` (its name unless given): the checkpoint keeps its state
/// and counters under it, so a restored job finds them again even when steps are added elsewhere.
public struct DataStream<Record: Sendable>: Sendable {
    let job: StreamJob
    /// The edge out of the last operator.
    let edge: StreamEdge<Record>
    /// How the next operator's input arrives and whether it runs in parallel.
    let next: NextPlacement
    /// The id of the operator whose output this is (the side outputs it emits end in sinks chained to it).
    let producerID: String

    struct NextPlacement: Sendable {
        var input: Partitioning
        var isParallel: Bool
        /// Whether the stream is inside a region entered by `inParallel()`.
        var isInOrderedRegion: Bool
    }

    init(job: StreamJob, edge: StreamEdge<Record>, next: NextPlacement, producerID: String) {
        self.job = job
        self.edge = edge
        self.producerID = producerID
        self.next = next
    }

    /// Appends an operator, built by `make` on its task's thread for each subtask.
    ///
    /// - Parameters:
    ///   - name: shown by `flowrun plan` and in errors.
    ///   - id: the operator's identity in checkpoints and metrics (its name if nil).
    ///   - watermarkGranularity: for event-time operators, the watermark step they can tell apart.
    ///   - makesWatermarks: whether the operator makes the watermarks from here on (it is told the
    ///     granularity the operators after it need, and does not pass upstream watermarks on).
    @inlinable
    public func apply<Op: Operator>(
        _ name: String, id: String? = nil, watermarkGranularity: Int64? = nil, makesWatermarks: Bool = false,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> DataStream<Op.Output> where Op.Input == Record {
        appendOperator(name, id: id, watermarkGranularity: watermarkGranularity, makesWatermarks: makesWatermarks, calls: OperatorCalls(), make)
    }

    @usableFromInline
    func appendOperator<Op: Operator>(
        _ name: String, id: String?, watermarkGranularity: Int64?, makesWatermarks: Bool, calls: OperatorCalls<Op>,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> DataStream<Op.Output> where Op.Input == Record {
        let output = StreamEdge<Op.Output>()
        let id = job.operatorID(id, name: name)
        job.append(GraphNode.operator(
            id: id, name: name, role: .transform, isParallel: next.isParallel, input: next.input,
            watermarkGranularity: watermarkGranularity, makesWatermarks: makesWatermarks,
            inputEdge: edge, outputEdge: output, keyGroup: nil, calls: calls, make: make
        ))
        return DataStream<Op.Output>(job: job, edge: output, next: .init(input: .forward, isParallel: next.isParallel, isInOrderedRegion: next.isInOrderedRegion),
                                     producerID: id)
    }

    /// Appends a sink, which consumes the stream. Sinks run as one subtask unless `parallel`.
    ///
    /// Returns the sink's (empty) output stream, whose ``sideSink(_:_:id:_:)`` ends the sink's side outputs.
    @inlinable
    @discardableResult
    public func sink<Op: Operator>(
        _ name: String, id: String? = nil, parallel: Bool = false,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> DataStream<Never> where Op.Input == Record, Op.Output == Never {
        appendSink(name, id: id, parallel: parallel, calls: OperatorCalls(), make)
    }

    @usableFromInline
    func appendSink<Op: Operator>(
        _ name: String, id: String?, parallel: Bool, calls: OperatorCalls<Op>,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> DataStream<Never> where Op.Input == Record, Op.Output == Never {
        let placement = parallel ? next : gathered()
        let id = job.operatorID(id, name: name)
        job.append(GraphNode.operator(
            id: id, name: name, role: .sink, isParallel: placement.isParallel, input: placement.input,
            watermarkGranularity: nil, makesWatermarks: false,
            inputEdge: edge, outputEdge: nil, keyGroup: nil, calls: calls, make: make
        ))
        return DataStream<Never>(job: job, edge: StreamEdge<Never>(), next: .init(input: .forward, isParallel: placement.isParallel, isInOrderedRegion: false),
                                 producerID: id)
    }

    /// Ends side output `output` of the operator whose output this stream is in a sink chained
    /// to it: one subtask beside each of the operator's, built before it, checkpointed with it.
    @inlinable
    public func sideSink<Side, Op: Operator>(
        _ output: SideOutput<Side>, _ name: String, id: String? = nil,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) where Op.Input == Side, Op.Output == Never {
        appendSideSink(output, name, id: id, calls: OperatorCalls(), make)
    }

    @usableFromInline
    func appendSideSink<Side, Op: Operator>(
        _ output: SideOutput<Side>, _ name: String, id: String?, calls: OperatorCalls<Op>,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) where Op.Input == Side, Op.Output == Never {
        var node = GraphNode.operator(
            id: job.operatorID(id, name: name), name: name, role: .sink, isParallel: true, input: .forward,
            watermarkGranularity: nil, makesWatermarks: false,
            inputEdge: output.edge, outputEdge: nil, keyGroup: nil, calls: calls, make: make
        )
        node.sideOf = producerID
        job.append(node)
    }

    /// The following operators run in the job's parallelism, each subtask taking every n-th batch;
    /// ``inSequence()`` puts the batches back in their original order.
    ///
    /// Use it for stateless work that dominates the cost (decoding), where order matters later.
    public func inParallel() -> DataStream<Record> {
        precondition(!next.isParallel, "inParallel() on a stream that is already parallel")
        return DataStream(job: job, edge: edge, next: .init(input: .orderedRebalance, isParallel: true, isInOrderedRegion: true), producerID: producerID)
    }

    /// The following operators run as one subtask that sees the stream in its original order.
    public func inSequence() -> DataStream<Record> {
        precondition(next.isInOrderedRegion, "inSequence() needs a stream made parallel by inParallel()")
        return DataStream(job: job, edge: edge, next: .init(input: .orderedGather, isParallel: false, isInOrderedRegion: false), producerID: producerID)
    }

    /// Whether the stream is inside a region entered by ``inParallel()``: its subtasks take turns
    /// with the batches, which ``inSequence()`` can put back in order.
    public var isInOrderedRegion: Bool { next.isInOrderedRegion }

    /// The following operators go on in parallel without ever putting the batches back in order:
    /// for records that carry what their order decided (watermarks stamped by
    /// ``SequencedWatermarks``, set after every earlier batch was seen), which may then take a
    /// key-by and reach the keyed operators in any order.
    public func leavingOrder() -> DataStream<Record> {
        precondition(next.isInOrderedRegion, "leavingOrder() needs a stream made parallel by inParallel()")
        return DataStream(job: job, edge: edge, next: .init(input: .forward, isParallel: true, isInOrderedRegion: false), producerID: producerID)
    }

    /// The following operator runs as one subtask that receives from every subtask of this one,
    /// in arrival order, with their watermarks combined by the minimum.
    public func global() -> DataStream<Record> {
        DataStream(job: job, edge: edge, next: gathered(), producerID: producerID)
    }

    private func gathered() -> NextPlacement {
        if !next.isParallel { return next }
        return .init(input: next.isInOrderedRegion ? .orderedGather : .gather, isParallel: false, isInOrderedRegion: false)
    }

    /// Partitions the stream by `key`: every record with one key reaches the same subtask of the
    /// following (keyed, parallel) operators.
    public func keyBy<Key: StableHashable & Hashable & Sendable>(
        _ key: @escaping @Sendable (Record) -> Key
    ) -> KeyedStream<Record, Key> {
        precondition(!next.isInOrderedRegion, "keyBy inside an inParallel() region: call inSequence() first")
        return KeyedStream(job: job, edge: edge, key: key)
    }
}

/// A stream partitioned by key: the operators applied to it run in parallel, each subtask owning
/// the keys of its key groups.
public struct KeyedStream<Record: Sendable, Key: StableHashable & Hashable & Sendable>: Sendable {
    let job: StreamJob
    let edge: StreamEdge<Record>
    /// The key of a record.
    public let key: @Sendable (Record) -> Key

    /// Appends a keyed operator, built on its task's thread for each subtask (see
    /// ``DataStream/apply(_:id:watermarkGranularity:makesWatermarks:_:)``).
    @inlinable
    public func apply<Op: Operator>(
        _ name: String, id: String? = nil, watermarkGranularity: Int64? = nil,
        _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> DataStream<Op.Output> where Op.Input == Record {
        let key = self.key
        return appendOperator(name, id: id, watermarkGranularity: watermarkGranularity, calls: OperatorCalls(),
                              keyGroup: { record, maxParallelism in KeyGroup(of: key(record), maxParallelism: maxParallelism) }, make)
    }

    @usableFromInline
    func appendOperator<Op: Operator>(
        _ name: String, id: String?, watermarkGranularity: Int64?, calls: OperatorCalls<Op>,
        keyGroup: @escaping @Sendable (Record, Int) -> KeyGroup, _ make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> DataStream<Op.Output> where Op.Input == Record {
        let output = StreamEdge<Op.Output>()
        let id = job.operatorID(id, name: name)
        job.append(GraphNode.operator(
            id: id, name: name, role: .transform, isParallel: true, input: .hash,
            watermarkGranularity: watermarkGranularity, makesWatermarks: false,
            inputEdge: edge, outputEdge: output,
            keyGroup: keyGroup, calls: calls, make: make
        ))
        return DataStream<Op.Output>(job: job, edge: output, next: .init(input: .forward, isParallel: true, isInOrderedRegion: false), producerID: id)
    }
}
