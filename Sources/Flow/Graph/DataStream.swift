/// A typed stream of records in a job being built: each method appends an operator and returns
/// the stream of its output.
///
/// ```swift
/// let job = StreamJob(parallelism: 2)
/// job.source("numbers") { output, _ in NumberSource(output: output) }
///     .map("double") { $0 * 2 }
///     .sink("print") { PrintSink() }
/// try job.execute()
/// ```
public struct DataStream<Record: Sendable>: Sendable {
    let job: StreamJob
    /// How the next operator's input arrives and whether it runs in parallel.
    let next: NextPlacement

    struct NextPlacement: Sendable {
        var input: Partitioning
        var isParallel: Bool
        /// Whether the stream is inside a region entered by `inParallel()`.
        var isInOrderedRegion: Bool
    }

    init(job: StreamJob, next: NextPlacement) {
        self.job = job
        self.next = next
    }

    /// Appends an operator built by `make` on its task's thread from its output.
    ///
    /// - Parameters:
    ///   - name: shown by `flowrun plan` and in errors.
    ///   - watermarkGranularity: for event-time operators, the watermark step they can tell apart.
    ///   - assignsWatermarks: whether the operator creates watermarks (it is told the granularity).
    ///   - stateName: for operators with state, a short name of their kind (its checkpoint identity
    ///     is its position in the job and this name); such an operator acknowledges every barrier.
    public func apply<Out: Sendable>(
        _ name: String,
        watermarkGranularity: Int64? = nil,
        assignsWatermarks: Bool = false,
        stateName: String? = nil,
        _ make: @escaping @Sendable (Output<Out>, SubtaskContext) throws -> any ElementReceiver<Record>
    ) -> DataStream<Out> {
        job.append(GraphNode(
            name: name, role: .transform, isParallel: next.isParallel, input: next.input,
            watermarkGranularity: watermarkGranularity, assignsWatermarks: assignsWatermarks, stateName: stateName,
            build: { downstream, context in
                try make(Output(downstream as! any ElementReceiver<Out>), context)
            },
            makeInputExchange: { ChannelExchange<Record>(shape: $0) }
        ))
        return DataStream<Out>(job: job, next: .init(input: .forward, isParallel: next.isParallel, isInOrderedRegion: next.isInOrderedRegion))
    }

    /// Appends a sink, which consumes the stream. Sinks run as one subtask unless `parallel`.
    public func sink(
        _ name: String,
        parallel: Bool = false,
        stateName: String? = nil,
        _ make: @escaping @Sendable (SubtaskContext) throws -> any ElementReceiver<Record>
    ) {
        let placement = parallel ? next : gathered()
        job.append(GraphNode(
            name: name, role: .sink, isParallel: placement.isParallel, input: placement.input, stateName: stateName,
            build: { _, context in try make(context) },
            makeInputExchange: { ChannelExchange<Record>(shape: $0) }
        ))
    }

    /// The following operators run in the job's parallelism, each subtask taking every n-th batch;
    /// ``inSequence()`` puts the batches back in their original order.
    ///
    /// Use it for stateless work that dominates the cost (decoding), where order matters later.
    public func inParallel() -> DataStream<Record> {
        precondition(!next.isParallel, "inParallel() on a stream that is already parallel")
        return DataStream(job: job, next: .init(input: .orderedRebalance, isParallel: true, isInOrderedRegion: true))
    }

    /// The following operators run as one subtask that sees the stream in its original order.
    public func inSequence() -> DataStream<Record> {
        precondition(next.isInOrderedRegion, "inSequence() needs a stream made parallel by inParallel()")
        return DataStream(job: job, next: .init(input: .orderedGather, isParallel: false, isInOrderedRegion: false))
    }

    /// The following operator runs as one subtask that receives from every subtask of this one,
    /// in arrival order, with their watermarks combined by the minimum.
    public func global() -> DataStream<Record> {
        DataStream(job: job, next: gathered())
    }

    private func gathered() -> NextPlacement {
        if !next.isParallel { return next }
        return .init(input: next.isInOrderedRegion ? .orderedGather : .gather, isParallel: false, isInOrderedRegion: false)
    }

    /// Partitions the stream by `key`: every record with one key reaches the same subtask of the
    /// following (keyed, parallel) operators.
    public func keyBy<Key: StableHashable & Hashable & Sendable>(
        _ name: String = "key-by",
        _ key: @escaping @Sendable (Record) -> Key
    ) -> KeyedStream<Record, Key> {
        precondition(!next.isInOrderedRegion, "keyBy inside an inParallel() region: call inSequence() first")
        return KeyedStream(job: job, key: key, name: name)
    }
}

/// A stream partitioned by key: the operators applied to it run in parallel, each subtask owning
/// the keys of its key groups.
public struct KeyedStream<Record: Sendable, Key: StableHashable & Hashable & Sendable>: Sendable {
    let job: StreamJob
    /// The key of a record.
    public let key: @Sendable (Record) -> Key
    let name: String

    /// Appends a keyed operator, built on its task's thread.
    public func apply<Out: Sendable>(
        _ name: String,
        watermarkGranularity: Int64? = nil,
        stateName: String? = nil,
        _ make: @escaping @Sendable (Output<Out>, SubtaskContext) throws -> any ElementReceiver<Record>
    ) -> DataStream<Out> {
        let key = self.key
        job.append(GraphNode(
            name: name, role: .transform, isParallel: true, input: .hash,
            watermarkGranularity: watermarkGranularity, stateName: stateName,
            build: { downstream, context in
                try make(Output(downstream as! any ElementReceiver<Out>), context)
            },
            makeInputExchange: { shape in
                ChannelExchange<Record>(shape: shape, keyGroup: { record in
                    KeyGroup(of: key(record), maxParallelism: shape.maxParallelism)
                })
            }
        ))
        return DataStream<Out>(job: job, next: .init(input: .forward, isParallel: true, isInOrderedRegion: false))
    }
}
