/// The start of a stream: the runtime polls it for records until it finishes.
///
/// The host calls ``poll(into:pacing:)`` in a loop and between polls injects checkpoint barriers,
/// performs a stop with a savepoint, and waits as the replay speed asks, so a poll should return
/// after a bounded amount of work (one chunk of a file, one page of an index). A source's
/// position is declared state like an operator's (usually a split list), restored before ``open()``.
public protocol Source<Output>: AnyObject, SendableMetatype {
    associatedtype Output: Sendable

    /// The state the source keeps (its position), as for an ``Operator``.
    var declaredState: [StateDeclaration] { get }

    /// Takes back the declared state; called before ``open()``.
    func restoreState(from state: RestoredState) throws

    /// Opens the input, at the restored position if there is one.
    func open() throws

    /// Emits the records that are ready into `output`. With `pacing`, records are replayed at a
    /// speed: a record whose event time `pacing` does not admit yet is kept for a later poll, and
    /// the poll returns ``SourceStatus/waiting(until:)`` with that event time.
    func poll(into output: Collector<Output>, pacing: ReplayClock?) throws -> SourceStatus

    /// Waits until input may be ready, or `seconds` passed; the host calls it after a poll that
    /// found nothing ready (``SourceStatus/idle``) and checks for checkpoints and stops when it
    /// returns. A source that can watch its input (a descriptor, a socket, a folder) returns as
    /// soon as input arrives; the default waits a millisecond.
    func waitForInput(upTo seconds: Double)

    /// Writes the position reached: everything emitted so far, nothing after.
    func snapshotState(into snapshot: inout StateSnapshot) throws
}

extension Source {
    public var declaredState: [StateDeclaration] { [] }
    public func restoreState(from state: RestoredState) throws {}
    public func open() throws {}
    public func snapshotState(into snapshot: inout StateSnapshot) throws {}
    public func waitForInput(upTo seconds: Double) { SystemClock().sleep(seconds: min(seconds, 0.001)) }
}

/// What a poll found.
public enum SourceStatus: Sendable, Equatable {
    /// Records were emitted, or more are ready: poll again at once.
    case ready
    /// Nothing is ready now (a live input): poll again soon.
    case idle
    /// The next record is due at this event time (replaying at a speed).
    case waiting(until: EventTime)
    /// The input ended; the source is not polled again.
    case finished
}
