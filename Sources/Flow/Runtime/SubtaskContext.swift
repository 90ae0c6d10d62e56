/// What an operator learns about its place in the running job when it is built.
public struct SubtaskContext: Sendable {
    /// This subtask's index, from 0.
    public var subtaskIndex: Int
    /// How many subtasks run this operator.
    public var parallelism: Int
    /// The number of key groups.
    public var maxParallelism: Int
    /// The coarsest watermark step downstream operators can tell apart: a watermark assigner
    /// need only emit a watermark when `(watermark + 1) / granularity` changes. 1 means every change.
    public var watermarkGranularity: Int64
    /// Counters shown in the progress line and the summary.
    public var metrics: JobMetrics
    /// The operator's identity in checkpoints (nil for operators without state).
    public var operatorID: String?
    /// The job's checkpoint coordinator, when checkpoints are on (sources ask it for barriers).
    public var checkpoints: CheckpointCoordinator?
    /// Where snapshots go: the coordinator, or a test's collector.
    public var snapshotReceiver: (any SnapshotReceiver)?
    /// The state to start from, when the job was restored from a checkpoint holding this operator.
    public var restored: OperatorRestore?

    public init(subtaskIndex: Int, parallelism: Int, maxParallelism: Int, watermarkGranularity: Int64, metrics: JobMetrics,
                operatorID: String? = nil, checkpoints: CheckpointCoordinator? = nil,
                snapshotReceiver: (any SnapshotReceiver)? = nil, restored: OperatorRestore? = nil) {
        self.subtaskIndex = subtaskIndex
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.watermarkGranularity = watermarkGranularity
        self.metrics = metrics
        self.operatorID = operatorID
        self.checkpoints = checkpoints
        self.snapshotReceiver = snapshotReceiver ?? checkpoints
        self.restored = restored
    }

    /// Reports this subtask's snapshot for `barrier` to the coordinator (a stateful operator calls
    /// it when the barrier reaches it, before passing the barrier on).
    ///
    /// - Parameters:
    ///   - shared: state of the subtask as a whole.
    ///   - keyGroups: keyed state by key group (only groups this subtask owns).
    ///   - position: a source's position in words.
    public func acknowledge(_ barrier: CheckpointBarrier, shared: StateWriter, keyGroups: [Int: StateWriter] = [:], position: String? = nil) {
        guard let snapshotReceiver, let operatorID else { return }
        snapshotReceiver.acknowledge(barrier, OperatorSnapshot(
            operatorID: operatorID, subtask: subtaskIndex, parallelism: parallelism, keyGroupRange: keyGroupRange,
            shared: shared.bytes, keyGroups: keyGroups.map { ($0.key, $0.value.bytes) }, position: position
        ))
    }

    /// The key groups this subtask owns.
    public var keyGroupRange: KeyGroupRange {
        KeyGroupRange(subtask: subtaskIndex, parallelism: parallelism, maxParallelism: maxParallelism)
    }
}
