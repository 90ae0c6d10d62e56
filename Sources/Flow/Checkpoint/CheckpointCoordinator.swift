import Foundation

/// Triggers checkpoints on an interval, collects the snapshots of every stateful operator subtask,
/// and writes each complete checkpoint off the task threads; stops the job with a savepoint
/// when asked.
///
/// Sources ask ``barrierIfDue()`` between batches; every stateful operator subtask reports its
/// snapshot with ``acknowledge(_:)`` when the barrier reaches it. When all have, a writer
/// thread compresses and writes the files and the manifest, then prunes old checkpoints.
public final class CheckpointCoordinator: SnapshotReceiver {
    /// Where and how often.
    public struct Settings: Sendable {
        public var directory: String
        public var interval: Duration
        /// Complete checkpoints kept.
        public var retain: Int

        public init(directory: String, interval: Duration, retain: Int) {
            self.directory = directory
            self.interval = interval
            self.retain = retain
        }
    }

    public let settings: Settings
    public let storage: CheckpointStorage
    private let jobName: String
    private let clock: any WallClock
    /// Held for the whole run, so no other run uses the folder meanwhile.
    private let lock: CheckpointFolderLock?
    private let report: @Sendable (String) -> Void
    private let state: Locked<State>
    private let writer = DispatchQueue(label: "flow.checkpoint-writer")
    private let writes = DispatchGroup()

    private struct State {
        var nextID: Int64
        var lastTrigger: Double
        var expectedAcks = 0
        var maxParallelism = 128
        var pending: [Int64: [OperatorSnapshot]] = [:]
        /// When each checkpoint not yet written was triggered.
        var triggered: [Int64: Double] = [:]
        /// Seconds from trigger to written, of the last ``keptDurations`` checkpoints completed
        /// (a job that runs for months keeps a bounded list; the histogram of every one is in
        /// the metrics).
        var durations: [Double] = []
        var stopRequested = false
        var savepointID: Int64?
        var savepointCompleted = false
        var failure: FlowError?
        /// When the last checkpoint was written (monotonic seconds; nil before the first).
        var lastCompleted: Double?
        var meters: CheckpointMeters?
        var stopJob: (@Sendable () -> Void)?
        /// Told each checkpoint's id once it is written.
        var completionActions: [@Sendable (Int64) -> Void] = []
    }

    /// - Parameters:
    ///   - firstID: the id of the first checkpoint (one after any used in the folder).
    ///   - lock: the folder's lock, taken before the checkpoint to restore was read.
    ///   - report: where checkpoints set aside at the start are named.
    public init(settings: Settings, jobName: String, firstID: Int64 = 1, clock: any WallClock = SystemClock(),
                lock: CheckpointFolderLock? = nil, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        storage = CheckpointStorage(directory: settings.directory)
        self.jobName = jobName
        self.clock = clock
        self.lock = lock
        self.report = report
        state = Locked(State(nextID: firstID, lastTrigger: clock.now()))
    }

    /// Called by the executor before the tasks start.
    func begin(expectedAcks: Int, maxParallelism: Int, metrics: JobMetrics, stopJob: @escaping @Sendable () -> Void) {
        let meters = CheckpointMeters(metrics)
        state.withLock {
            $0.meters = meters
            $0.expectedAcks = expectedAcks
            $0.maxParallelism = maxParallelism
            $0.stopJob = stopJob
            $0.lastTrigger = clock.now()
        }
    }

    /// Called by the executor before any task starts (before a sink cuts its output back): makes
    /// the folder hold only the line of checkpoints this run continues, abandoning the others
    /// (see ``CheckpointStorage/abandon(after:retain:)``).
    func beginLine(restoredFrom restored: LoadedCheckpoint?) throws {
        let continued = restored.flatMap { storage.holds($0.path) ? $0.manifest.checkpoint : nil } ?? 0
        let abandoned = try storage.abandon(after: continued, retain: settings.retain)
        guard !abandoned.isEmpty else { return }
        let (one, they, them) = abandoned.count == 1 ? ("checkpoint", "it comes", "it") : ("checkpoints", "they come", "them")
        let why = continued > 0 ? "\(they) after checkpoint \(continued), which this run continues"
            : restored.map { "this run continues \($0.path)" } ?? "this run starts from the beginning"
        report("moved \(one) \(abandoned.map(String.init).joined(separator: ", ")) to \(storage.abandonedDirectory): \(why), so --restore latest must not pick \(them)")
    }

    /// For sources, between batches: the barrier to emit now, if a checkpoint is due or a stop
    /// was requested. A source that gets a savepoint barrier emits it and then stops reading.
    public func barrierIfDue() -> CheckpointBarrier? {
        let now = clock.now()
        let barrier = state.withLock { state -> CheckpointBarrier? in
            if state.stopRequested && state.savepointID == nil {
                let barrier = CheckpointBarrier(id: state.nextID, isSavepoint: true)
                state.savepointID = barrier.id
                state.triggered[barrier.id] = now
                state.nextID += 1
                return barrier
            }
            guard state.savepointID == nil, now - state.lastTrigger >= settings.interval.seconds else { return nil }
            state.lastTrigger = now
            state.triggered[state.nextID] = now
            state.nextID += 1
            return CheckpointBarrier(id: state.nextID - 1)
        }
        if barrier != nil { state.withLock { $0.meters }?.recordStarted() }
        return barrier
    }

    /// Asks the job to stop with a savepoint (first SIGINT or SIGTERM).
    public func requestStop() { state.withLock { $0.stopRequested = true } }

    /// Whether a stop was requested.
    public var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    /// The savepoint's id once the job stopped with one.
    public var completedSavepoint: Int64? { state.withLock { $0.savepointCompleted ? $0.savepointID : nil } }

    /// Takes one operator subtask's snapshot for the barrier's checkpoint; the last one to arrive
    /// hands the checkpoint to the writer thread.
    public func acknowledge(_ barrier: CheckpointBarrier, _ snapshot: OperatorSnapshot) {
        let now = clock.now()
        let complete = state.withLock { state -> [OperatorSnapshot]? in
            state.pending[barrier.id, default: []].append(snapshot)
            guard state.pending[barrier.id]!.count == state.expectedAcks else { return nil }
            if let triggered = state.triggered[barrier.id] { state.meters?.recordAligned(after: now - triggered) }
            return state.pending.removeValue(forKey: barrier.id)
        }
        guard let complete else { return }
        writes.enter()
        writer.async { [self] in
            defer { writes.leave() }
            write(barrier, complete)
        }
    }

    private func write(_ barrier: CheckpointBarrier, _ snapshots: [OperatorSnapshot]) {
        let maxParallelism = state.withLock { $0.maxParallelism }
        do {
            let manifest = try storage.write(id: barrier.id, job: jobName, isSavepoint: barrier.isSavepoint,
                                             maxParallelism: maxParallelism, snapshots: snapshots)
            storage.prune(retain: settings.retain)
            let written = clock.now()
            let (stop, actions) = state.withLock { state -> ((@Sendable () -> Void)?, [@Sendable (Int64) -> Void]) in
                let triggered = state.triggered.removeValue(forKey: barrier.id)
                if let triggered {
                    if state.durations.count == Self.keptDurations { state.durations.removeFirst(Self.keptDurations / 2) }
                    state.durations.append(written - triggered)
                }
                state.lastCompleted = written
                state.meters?.recordCompleted(after: triggered.map { written - $0 }, bytes: manifest.files.reduce(0) { $0 + $1.bytes })
                guard barrier.isSavepoint else { return (nil, state.completionActions) }
                state.savepointCompleted = true
                return (state.stopJob, state.completionActions)
            }
            for action in actions { action(barrier.id) }
            stop?()
        } catch {
            let failure = error as? FlowError ?? FlowError(.output, "checkpoint \(barrier.id) could not be written: \(error)")
            let stop = state.withLock { state -> (@Sendable () -> Void)? in
                state.meters?.recordFailed()
                if state.failure == nil { state.failure = failure }
                return state.stopJob
            }
            stop?()
        }
    }

    /// Calls `action` with each checkpoint's id once the checkpoint is written, on the writer
    /// thread: the commit of a two-phase commit whose pre-commit was the snapshot.
    public func whenComplete(_ action: @escaping @Sendable (Int64) -> Void) {
        state.withLock { $0.completionActions.append(action) }
    }

    /// When the last checkpoint was written, on the coordinator's clock (nil before the first).
    public var lastCompletedAt: Double? { state.withLock { $0.lastCompleted } }

    /// Seconds from trigger to written of the checkpoints completed so far, in order: all of
    /// them up to ``keptDurations``, then at least the last half of that many.
    public var completedDurations: [Double] { state.withLock { $0.durations } }

    /// How many checkpoint durations ``completedDurations`` keeps at most.
    public static let keptDurations = 10_000

    /// Waits until every checkpoint handed to the writer is on disk.
    func waitForWrites() { writes.wait() }

    /// The first error writing a checkpoint, which stops the job.
    var failure: FlowError? { state.withLock { $0.failure } }
}

/// Takes the snapshots operator subtasks report at barriers.
public protocol SnapshotReceiver: AnyObject, Sendable {
    func acknowledge(_ barrier: CheckpointBarrier, _ snapshot: OperatorSnapshot)
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
