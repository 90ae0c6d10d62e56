
/// A job being built with the ``DataStream`` API, then planned into tasks and run.
///
/// Settings are fixed before the first operator is added.
public final class StreamJob: Sendable {
    /// Subtasks per parallel operator.
    public let parallelism: Int
    /// Number of key groups: the largest parallelism a checkpoint can be restored at.
    public let maxParallelism: Int
    /// Records per batch collected by hash exchanges.
    public let batchSize: Int
    /// Batches a channel holds before its sender waits.
    public let channelCapacity: Int
    /// Counters for progress and the summary.
    public let metrics: JobMetrics
    /// Takes checkpoints while the job runs (nil: no checkpoints).
    public let checkpoints: CheckpointCoordinator?
    /// The checkpoint the job starts from (nil: from the beginning).
    public let restoredFrom: LoadedCheckpoint?

    private let nodeList = Locked<[GraphNode]>([])

    public init(parallelism: Int, maxParallelism: Int = 128, batchSize: Int = 1024, channelCapacity: Int = 8, metrics: JobMetrics = JobMetrics(),
                checkpoints: CheckpointCoordinator? = nil, restoredFrom: LoadedCheckpoint? = nil) {
        precondition(parallelism >= 1 && parallelism <= maxParallelism,
                     "parallelism must be between 1 and \(maxParallelism), got \(parallelism)")
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.batchSize = batchSize
        self.channelCapacity = channelCapacity
        self.metrics = metrics
        self.checkpoints = checkpoints
        self.restoredFrom = restoredFrom
    }

    var nodes: [GraphNode] { nodeList.withLock { $0 } }

    func append(_ node: GraphNode) {
        nodeList.withLock { $0.append(node) }
    }

    /// Adds a source, built on its own thread by `make` from its output.
    public func source<Record: Sendable>(
        _ name: String,
        stateName: String? = nil,
        _ make: @escaping @Sendable (Output<Record>, SubtaskContext) throws -> any SourceRunner
    ) -> DataStream<Record> {
        precondition(nodes.isEmpty, "a job has exactly one source, and it comes first")
        append(GraphNode(
            name: name, role: .source, isParallel: false, input: .forward, stateName: stateName,
            build: { downstream, context in
                try make(Output(downstream as! any ElementReceiver<Record>), context)
            },
            makeInputExchange: nil
        ))
        return DataStream(job: self, next: .init(input: .forward, isParallel: false, isInOrderedRegion: false))
    }

    /// Plans the graph into tasks: operators are chained into one task where no exchange is
    /// needed between them.
    public func plan() -> ExecutionPlan {
        ExecutionPlan(nodes: nodes, parallelism: parallelism)
    }

    /// Runs the job to the end of its input (or to a savepoint, when a stop was requested) on one
    /// thread per subtask, and returns when every task has finished. Throws the first error any
    /// task threw; the other tasks are stopped.
    public func execute() throws {
        try JobExecutor(job: self, plan: plan()).run()
    }
}
