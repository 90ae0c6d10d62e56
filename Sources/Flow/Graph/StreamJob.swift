
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
    /// The longest a record waits for a fuller batch before it is sent on (zero: never).
    public let bufferTimeout: Duration
    /// The buffer timeout of a job that sets none: 5 ms.
    public static let defaultBufferTimeout = Duration.milliseconds(5)
    /// How long an upstream subtask may send neither records nor watermarks before the operators
    /// it feeds stop waiting for its watermark (nil: they always wait).
    public let idleTimeout: Duration?
    /// Counters for progress and the summary.
    public let metrics: JobMetrics
    /// Takes checkpoints while the job runs (nil: no checkpoints).
    public let checkpoints: CheckpointCoordinator?
    /// The checkpoint the job starts from (nil: from the beginning).
    public let restoredFrom: LoadedCheckpoint?

    /// Ends the waits of a run's subtasks outside its channels when the run is cancelled.
    let cancellation = JobCancellation()

    private let nodeList = Locked<[GraphNode]>([])

    public init(parallelism: Int, maxParallelism: Int = 128, batchSize: Int = 1024, channelCapacity: Int = 8,
                bufferTimeout: Duration = defaultBufferTimeout, idleTimeout: Duration? = nil, metrics: JobMetrics = JobMetrics(),
                checkpoints: CheckpointCoordinator? = nil, restoredFrom: LoadedCheckpoint? = nil) {
        precondition(bufferTimeout >= .zero, "a buffer timeout cannot be negative, got \(bufferTimeout)")
        precondition(idleTimeout.map { $0 > .zero } ?? true, "an idle timeout must be positive, got \(idleTimeout!)")
        precondition(parallelism >= 1 && parallelism <= maxParallelism,
                     "parallelism must be between 1 and \(maxParallelism), got \(parallelism)")
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.batchSize = batchSize
        self.channelCapacity = channelCapacity
        self.bufferTimeout = bufferTimeout
        self.idleTimeout = idleTimeout
        self.metrics = metrics
        self.checkpoints = checkpoints
        self.restoredFrom = restoredFrom
    }

    var nodes: [GraphNode] { nodeList.withLock { $0 } }

    func append(_ node: GraphNode) {
        precondition(CheckpointManifest.File.isOperatorID(node.id), "operator id \"\(node.id)\" must start with a letter or digit and hold only letters, digits, '-', '_' and '.' (at most 100)")
        nodeList.withLock { nodes in
            precondition(!nodes.contains { $0.id == node.id }, "two operators have the id \"\(node.id)\": give one of them another id")
            nodes.append(node)
        }
    }

    /// The given id, or one made from the operator's name: its letters and digits, other
    /// characters as '-', with a number after it when an operator already has it. A job whose
    /// checkpoints must survive edits to its graph gives its stateful operators explicit ids.
    func operatorID(_ id: String?, name: String) -> String {
        if let id { return id }
        var base = String(name.lowercased().unicodeScalars.prefix(80).map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
        })
        while base.hasPrefix("-") { base.removeFirst() }
        if base.isEmpty { base = "operator" }
        let taken = Set(nodes.map(\.id))
        var candidate = base, number = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(number)"
            number += 1
        }
        return candidate
    }

    /// Adds the source, built on its own thread by `make`; the runtime polls it.
    ///
    /// - Parameters:
    ///   - id: the source's identity in checkpoints and metrics (its name if nil).
    ///   - speed: how fast the source's records are replayed, by their event time.
    public func source<S: Source>(
        _ name: String, id: String? = nil, speed: ReplaySpeed = .max,
        _ make: @escaping @Sendable (SubtaskContext) throws -> S
    ) -> DataStream<S.Output> {
        precondition(nodes.isEmpty, "a job has exactly one source, and it comes first")
        let output = StreamEdge<S.Output>()
        let id = operatorID(id, name: name)
        append(GraphNode.source(id: id, name: name, speed: speed, outputEdge: output, make: make))
        return DataStream(job: self, edge: output, next: .init(input: .forward, isParallel: false, isInOrderedRegion: false), producerID: id)
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
