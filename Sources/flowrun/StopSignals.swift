import Dispatch
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM: the first asks the job to stop with a savepoint (or, without
/// checkpoints, stops at once); a second stops at once.
final class StopSignals: Sendable {
    private let checkpoints: CheckpointCoordinator?
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []

    init(checkpoints: CheckpointCoordinator?) { self.checkpoints = checkpoints }

    func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in received(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func received(_ number: Int32) {
        guard let checkpoints, !checkpoints.isStopRequested else {
            Messages.write("\nflowrun: stopped at once (no savepoint)")
            _exit(130)
        }
        Messages.write("\nflowrun: stopping: taking a savepoint (press Ctrl-C again to stop at once)")
        checkpoints.requestStop()
    }
}
