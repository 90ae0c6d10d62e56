/// Tells whatever a job's subtasks wait on outside its channels (an ``OrderedPrefix``) that the
/// job is being cancelled: another task failed, or a stop's savepoint was written.
final class JobCancellation: Sendable {
    private let state = Locked<(isCancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    /// Calls `handler` when the job is cancelled, at once if it already is.
    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let isCancelled = state.withLock { state in
            if !state.isCancelled { state.handlers.append(handler) }
            return state.isCancelled
        }
        if isCancelled { handler() }
    }

    func cancel() {
        let handlers = state.withLock { state in
            guard !state.isCancelled else { return [@Sendable () -> Void]() }
            state.isCancelled = true
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler() }
    }
}
