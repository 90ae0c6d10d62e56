import CoreMetrics

/// What the checkpoint coordinator reports through swift-metrics: checkpoints started, completed
/// and failed, and of each completed one how long it took from trigger to written, how long
/// until every subtask had taken its snapshot (alignment), and its size on disk.
struct CheckpointMeters: Sendable {
    private let started: CoreMetrics.Counter
    private let completed: CoreMetrics.Counter
    private let failed: CoreMetrics.Counter
    private let duration: CoreMetrics.Timer
    private let alignment: CoreMetrics.Timer
    private let size: Recorder

    init(_ metrics: JobMetrics) {
        let job = [("job", metrics.jobName)]
        let factory = metrics.factory
        started = CoreMetrics.Counter(label: "flow_checkpoints_started_total", dimensions: job, factory: factory)
        completed = CoreMetrics.Counter(label: "flow_checkpoints_completed_total", dimensions: job, factory: factory)
        failed = CoreMetrics.Counter(label: "flow_checkpoints_failed_total", dimensions: job, factory: factory)
        duration = CoreMetrics.Timer(label: "flow_checkpoint_duration_seconds", dimensions: job, factory: factory)
        alignment = CoreMetrics.Timer(label: "flow_checkpoint_alignment_seconds", dimensions: job, factory: factory)
        size = Recorder(label: "flow_checkpoint_size_bytes", dimensions: job, aggregate: true, factory: factory)
    }

    func recordStarted() { started.increment() }

    func recordFailed() { failed.increment() }

    /// Every subtask's snapshot arrived `seconds` after the trigger.
    func recordAligned(after seconds: Double) { alignment.recordNanoseconds(Self.nanoseconds(seconds)) }

    /// A checkpoint of `bytes` was written `seconds` after its trigger (nil: trigger unknown).
    func recordCompleted(after seconds: Double?, bytes: Int) {
        completed.increment()
        if let seconds { duration.recordNanoseconds(Self.nanoseconds(seconds)) }
        size.record(bytes)
    }

    private static func nanoseconds(_ seconds: Double) -> Int64 { Int64(min(max(seconds, 0), 1e9) * 1e9) }
}
