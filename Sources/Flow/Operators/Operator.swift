/// A step of a stream job that turns batches of records into records: the one thing an operator
/// must do is ``process(_:into:)``.
///
/// The runtime's host calls the hooks in this order: ``restoreState(from:)`` (after a restore),
/// ``open()``, then ``process(_:into:)`` and ``onWatermark(_:into:)`` as the stream arrives
/// (``onBufferTimeout()`` when records have waited the buffer timeout), and ``onEndOfInput(into:)`` once at the end. It passes
/// watermarks and the end of input downstream after the hooks, takes snapshots of the declared state at checkpoints (``snapshotState(into:)``)
/// and keeps the operator's place in the checkpoint protocol; an operator never sees it.
///
/// An operator is confined to its subtask's thread: no call overlaps another.
///
/// ```swift
/// final class Deduplicate: Operator {
///     private var seen: Set<String> = []
///     var declaredState: [StateDeclaration] { [.keyed("seen")] }
///     func process(_ batch: [Event], into output: Collector<Event>) {
///         for event in batch where seen.insert(event.id).inserted { output.emit(event) }
///     }
///     // snapshotState / restoreState write and read `seen` per key group.
/// }
/// ```
public protocol Operator<Input, Output>: AnyObject, SendableMetatype {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// The state the operator keeps, by name, with how each is shared out on a restore at another
    /// parallelism. Empty (the default) for a stateless operator.
    var declaredState: [StateDeclaration] { get }

    /// Whether the watermarks from upstream pass on after ``onWatermark(_:into:)`` (the default), or
    /// the operator makes its own (a watermark generator emits them with ``Collector/emit(watermark:)``).
    var forwardsWatermarks: Bool { get }

    /// Takes back the declared state, already shared out to this subtask; called before ``open()``.
    func restoreState(from state: RestoredState) throws

    /// Prepares to process: opens files and connections (after any restore).
    func open() throws

    /// Processes one batch of records, emitting any number of records into `output`.
    func process(_ batch: [Input], into output: Collector<Output>) throws

    /// Reacts to event time reaching `watermark`: no record at or before it follows, except late ones.
    func onWatermark(_ watermark: EventTime, into output: Collector<Output>) throws

    /// Emits what is still held at the end of the input; nothing follows.
    func onEndOfInput(into output: Collector<Output>) throws

    /// The buffer timeout passed since the task took records it has not sent on: an operator that
    /// holds external writes back to group them (a sink's requests) sends them now, so that no
    /// result waits longer than the buffer timeout for company.
    func onBufferTimeout() throws

    /// Writes the declared state as it is after every record processed so far. An operator with
    /// external effects makes them durable here (flushes, syncs), since a restore resumes after them.
    func snapshotState(into snapshot: inout StateSnapshot) throws
}

extension Operator {
    public var declaredState: [StateDeclaration] { [] }
    public var forwardsWatermarks: Bool { true }
    public func restoreState(from state: RestoredState) throws {}
    public func open() throws {}
    public func onWatermark(_ watermark: EventTime, into output: Collector<Output>) throws {}
    public func onEndOfInput(into output: Collector<Output>) throws {}
    public func onBufferTimeout() throws {}
    public func snapshotState(into snapshot: inout StateSnapshot) throws {}
}

/// An operator that ends a stream: it emits nothing.
public protocol Sink<Input>: Operator where Output == Never {}
