/// Whatever the elements of a stream are pushed into inside the runtime: an operator's host, an
/// exchange writer, a test's collector. Operators never implement it; they see a ``Collector``.
///
/// Receivers are confined to the thread of the task that built them. The calls come in stream
/// order: batches, watermarks and barriers, then exactly one end of input.
public protocol ElementReceiver<Record>: AnyObject {
    associatedtype Record: Sendable
    /// Takes one batch of records.
    func receive(_ batch: [Record]) throws
    /// Takes a watermark: no record at or before `watermark` follows, except late ones.
    func receive(watermark: EventTime) throws
    /// Takes a checkpoint barrier: everything before it is in the checkpoint, nothing after.
    func receive(barrier: CheckpointBarrier) throws
    /// Takes the end of input; nothing follows.
    func receiveEndOfInput() throws
    /// Sends on the records held back to fill a batch: the task's input went quiet for the
    /// buffer timeout. Receivers that hold nothing back pass it on, or ignore it.
    func flush() throws
}

extension ElementReceiver {
    public func flush() throws {}
}

/// A receiver that discards everything: the downstream of a sink.
final class DiscardingReceiver<Record: Sendable>: ElementReceiver {
    init() {}
    func receive(_ batch: [Record]) {}
    func receive(watermark: EventTime) {}
    func receive(barrier: CheckpointBarrier) {}
    func receiveEndOfInput() {}
}
