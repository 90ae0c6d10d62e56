/// Runs a ``Source`` on its own thread: polls it, sends what it emits downstream, injects the
/// checkpoint barriers the coordinator asks for between polls (taking the source's snapshot
/// first), stops after a savepoint, and waits between polls as the replay speed asks or until a
/// live input has more, in short slices so that a barrier or a stop is never held up by a paced
/// record or a quiet input. It flushes what its chain holds back for fuller batches before it
/// waits, and otherwise at most the buffer timeout after it emitted the first records held.
final class SourceHost<S: Source>: SourceRunner {
    private let source: S
    private let output: Collector<S.Output>
    private let setup: SubtaskSetup
    private let declared: [StateDeclaration]
    private let checkpoints: CheckpointCoordinator?
    private let pacing: ReplayClock?
    private let clock: any WallClock

    /// The longest a wait lasts before the host checks for a barrier again.
    static var waitSlice: Double { 0.05 }

    init(_ source: S, setup: SubtaskSetup, checkpoints: CheckpointCoordinator?, speed: ReplaySpeed,
         clock: any WallClock = SystemClock(), downstream: any ElementReceiver<S.Output>) throws {
        self.source = source
        self.setup = setup
        self.checkpoints = checkpoints
        self.clock = clock
        output = Collector(downstream, countingInto: setup.metrics.meters(operatorID: setup.operatorID, subtask: setup.subtask).recordsOut)
        declared = source.declaredState
        if case .factor(let factor) = speed { pacing = ReplayClock(factor: factor, clock: clock) } else { pacing = nil }
        try setup.restore(declared: declared) { state in try callingOperator(setup.operatorID) { try source.restoreState(from: state) } }
        try callingOperator(setup.operatorID) { try source.open() }
    }

    func run() throws {
        // When the source emitted the first records its chain may still hold back.
        var holdingSince: Double?
        while true {
            if let barrier = checkpoints?.barrierIfDue() {
                try callingOperator(setup.operatorID) {
                    try setup.takeSnapshot(for: barrier, declared: declared) { try source.snapshotState(into: &$0) }
                }
                try output.send(barrier: barrier)
                // After a savepoint the job stops: the coordinator cancels the tasks once it is written.
                if barrier.isSavepoint { return }
            }
            let status = try callingOperator(setup.operatorID) { try source.poll(into: output, pacing: pacing) }
            if output.hasPending {
                try output.sendBatch()
                if holdingSince == nil { holdingSince = clock.now() }
            }
            if let since = holdingSince, status != .ready || clock.now() - since >= setup.bufferTimeout {
                holdingSince = nil
                try output.flush()
            }
            switch status {
            case .ready:
                continue
            case .idle:
                source.waitForInput(upTo: Self.waitSlice)
            case .waiting(let time):
                let wait = (pacing?.wallTime(due: time) ?? clock.now()) - clock.now()
                if wait > 0 { clock.sleep(seconds: min(wait, Self.waitSlice)) }
            case .finished:
                try output.sendEndOfInput()
                return
            }
        }
    }
}
