/// What the executor (or a test harness) hands the host of one operator subtask: where it stands
/// in the job, where its snapshots go, and the state it starts from.
struct SubtaskSetup: Sendable {
    var operatorID: String
    var subtask: Int
    var parallelism: Int
    var maxParallelism: Int
    var watermarkGranularity: Int64
    var metrics: JobMetrics
    /// Takes the snapshots at barriers (the checkpoint coordinator, or a harness).
    var snapshots: (any SnapshotReceiver)?
    /// Asks a source for barriers (nil: the job takes no checkpoints).
    var checkpoints: CheckpointCoordinator?
    /// The state to start from, if the job is restored.
    var restore: RestoreSource?
    /// The longest the subtask's chain holds records back for fuller batches, in seconds.
    var bufferTimeout: Double = StreamJob.defaultBufferTimeout.seconds
    /// The job's cancellation (nil under a test harness).
    var cancellation: JobCancellation?

    /// The snapshots of a checkpoint that one operator restores from.
    struct RestoreSource: Sendable {
        var checkpointID: Int64
        /// The checkpoint's folder, for messages.
        var path: String
        /// Every old subtask's snapshot of this operator (empty when the checkpoint holds no state of it).
        var snapshots: [OperatorSnapshot]
    }

    var keyGroupRange: KeyGroupRange {
        KeyGroupRange(subtask: subtask, parallelism: parallelism, maxParallelism: maxParallelism)
    }

    /// What the operator learns about its place.
    var context: SubtaskContext {
        SubtaskContext(operatorID: operatorID, subtaskIndex: subtask, parallelism: parallelism, maxParallelism: maxParallelism,
                       watermarkGranularity: watermarkGranularity, metrics: metrics.scope(operatorID: operatorID, subtask: subtask),
                       restoredCheckpointID: restore?.checkpointID, isCheckpointed: snapshots != nil, checkpoints: checkpoints, cancellation: cancellation)
    }

    /// Shares the checkpoint's state out to this subtask and hands it to `restoreState`; nothing
    /// when the job is not restored.
    ///
    /// - Throws: ``FlowError`` when an operator that declares state finds none of it in the
    ///   checkpoint, or the state no longer fits the operator or cannot be read.
    func restore(declared: [StateDeclaration], into restoreState: (RestoredState) throws -> Void) throws {
        guard let restore else { return }
        if restore.snapshots.isEmpty {
            guard declared.isEmpty else {
                throw FlowError(.invalidJob, "checkpoint \(restore.path) holds no state of operator \(operatorID); restore it with the job file it was taken with")
            }
            return
        }
        let state = try RestoredState.redistribute(restore.snapshots, checkpointID: restore.checkpointID, declared: declared,
                                                   subtask: subtask, parallelism: parallelism, range: keyGroupRange)
        do {
            try restoreState(state)
        } catch let damaged as StateReader.Damaged {
            throw FlowError(.invalidJob, "the checkpoint's state of operator \(operatorID) cannot be read (\(damaged)); restore it with the job file it was taken with")
        }
    }

    /// Takes this subtask's snapshot for `barrier`: the declared state `write` fills in, and the
    /// subtask's counters; hands it to the snapshot receiver.
    func takeSnapshot(for barrier: CheckpointBarrier, declared: [StateDeclaration],
                      write: (inout StateSnapshot) throws -> Void) throws {
        var state = StateSnapshot(checkpointID: barrier.id, isSavepoint: barrier.isSavepoint,
                                  maxParallelism: maxParallelism, declared: declared)
        try write(&state)
        let snapshot = OperatorSnapshot(
            operatorID: operatorID, subtask: subtask, parallelism: parallelism, keyGroupRange: keyGroupRange,
            states: state.namedStates, counters: metrics.values(operatorID: operatorID, subtask: subtask), position: state.position
        )
        snapshots?.acknowledge(barrier, snapshot)
    }
}
