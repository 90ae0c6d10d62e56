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

    public init(subtaskIndex: Int, parallelism: Int, maxParallelism: Int, watermarkGranularity: Int64, metrics: JobMetrics) {
        self.subtaskIndex = subtaskIndex
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.watermarkGranularity = watermarkGranularity
        self.metrics = metrics
    }

    /// The key groups this subtask owns.
    public var keyGroupRange: KeyGroupRange {
        KeyGroupRange(subtask: subtaskIndex, parallelism: parallelism, maxParallelism: maxParallelism)
    }
}
