/// What an operator or a source learns about its place in the running job when it is built.
public struct SubtaskContext: Sendable {
    /// The operator's identity: the job step's name or `id:`, stable across runs.
    public var operatorID: String
    /// This subtask's index, from 0.
    public var subtaskIndex: Int
    /// How many subtasks run this operator.
    public var parallelism: Int
    /// The number of key groups.
    public var maxParallelism: Int
    /// The coarsest watermark step downstream operators can tell apart: a watermark generator
    /// need only emit a watermark when `(watermark + 1) / granularity` changes. 1 means every change.
    public var watermarkGranularity: Int64
    /// This subtask's counters.
    public var metrics: OperatorMetrics
    /// The checkpoint the job was restored from, if any (its id names files written since).
    public var restoredCheckpointID: Int64?
    /// Whether the job takes checkpoints (an operator with external output then keeps what a
    /// restore needs when the job stops early).
    public var isCheckpointed: Bool
    /// The side outputs the operator took (``sideOutput(_:)``), which its host sends on.
    let sideChannels = SideChannels()
    let checkpoints: CheckpointCoordinator?
    /// Cancels the job's waits outside its channels (nil under a test harness).
    let cancellation: JobCancellation?

    public init(operatorID: String, subtaskIndex: Int, parallelism: Int, maxParallelism: Int, watermarkGranularity: Int64,
                metrics: OperatorMetrics, restoredCheckpointID: Int64? = nil, isCheckpointed: Bool = false) {
        self.init(operatorID: operatorID, subtaskIndex: subtaskIndex, parallelism: parallelism, maxParallelism: maxParallelism,
                  watermarkGranularity: watermarkGranularity, metrics: metrics, restoredCheckpointID: restoredCheckpointID,
                  isCheckpointed: isCheckpointed, checkpoints: nil, cancellation: nil)
    }

    init(operatorID: String, subtaskIndex: Int, parallelism: Int, maxParallelism: Int, watermarkGranularity: Int64,
         metrics: OperatorMetrics, restoredCheckpointID: Int64?, isCheckpointed: Bool, checkpoints: CheckpointCoordinator?,
         cancellation: JobCancellation?) {
        self.checkpoints = checkpoints
        self.cancellation = cancellation
        self.operatorID = operatorID
        self.subtaskIndex = subtaskIndex
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.watermarkGranularity = watermarkGranularity
        self.metrics = metrics
        self.restoredCheckpointID = restoredCheckpointID
        self.isCheckpointed = isCheckpointed
    }

    /// Calls `commit` with each checkpoint's id once the checkpoint is complete, on another thread:
    /// the second phase for an operator whose snapshot made its output ready to publish (the
    /// first). Never called when the job takes no checkpoints.
    public func onCheckpointComplete(_ commit: @escaping @Sendable (Int64) -> Void) {
        checkpoints?.whenComplete(commit)
    }

    /// The key groups this subtask owns.
    public var keyGroupRange: KeyGroupRange {
        KeyGroupRange(subtask: subtaskIndex, parallelism: parallelism, maxParallelism: maxParallelism)
    }
}
