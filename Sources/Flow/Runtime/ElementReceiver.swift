/// The input side of an operator, an exchange writer, or a test collector: whatever the elements
/// of a stream are pushed into.
///
/// Receivers are confined to the thread of the task that built them; they are never shared.
/// The calls come in stream order: batches and watermarks, then exactly one end of input.
public protocol ElementReceiver<Record>: AnyObject {
    associatedtype Record: Sendable
    /// Takes one batch of records.
    func receive(_ batch: [Record]) throws
    /// Takes a watermark: no record at or before `watermark` follows, except late ones.
    func receive(watermark: EventTime) throws
    /// Takes a checkpoint barrier: a stateful operator reports its snapshot, then every operator
    /// passes the barrier on, after the records before it.
    func receive(barrier: CheckpointBarrier) throws
    /// Takes the end of input; nothing follows.
    func receiveEndOfInput() throws
}

/// Collects what an operator emits and passes it downstream as batches, keeping watermarks and
/// the end of input in order with the records.
public final class Output<Record: Sendable> {
    private var buffer: [Record] = []
    private let downstream: any ElementReceiver<Record>

    public init(_ downstream: any ElementReceiver<Record>) {
        self.downstream = downstream
    }

    /// Adds one record to the batch being built.
    public func emit(_ record: Record) { buffer.append(record) }

    /// Adds several records to the batch being built.
    public func emit(contentsOf records: some Sequence<Record>) { buffer.append(contentsOf: records) }

    /// Adds a whole batch; when nothing is pending the batch itself becomes the batch being
    /// built, so records that pass an operator unchanged are not copied one by one.
    public func emit(batch records: [Record]) {
        if buffer.isEmpty { buffer = records } else { buffer.append(contentsOf: records) }
    }

    /// Sends the batch being built downstream (an empty batch too, so that an operator sends
    /// exactly one batch per batch it received).
    public func flush() throws {
        let batch = buffer
        buffer = []
        buffer.reserveCapacity(batch.count)
        try downstream.receive(batch)
    }

    /// Sends the pending batch, if any, then the watermark.
    public func emit(watermark: EventTime) throws {
        if !buffer.isEmpty { try flush() }
        try downstream.receive(watermark: watermark)
    }

    /// Sends the pending batch, if any, then the checkpoint barrier.
    public func emit(barrier: CheckpointBarrier) throws {
        if !buffer.isEmpty { try flush() }
        try downstream.receive(barrier: barrier)
    }

    /// Sends the pending batch, if any, then the end of input.
    public func emitEndOfInput() throws {
        if !buffer.isEmpty { try flush() }
        try downstream.receiveEndOfInput()
    }
}

/// A receiver that discards everything: the downstream of a sink.
public final class DiscardingReceiver<Record: Sendable>: ElementReceiver {
    public init() {}
    public func receive(_ batch: [Record]) {}
    public func receive(watermark: EventTime) {}
    public func receive(barrier: CheckpointBarrier) {}
    public func receiveEndOfInput() {}
}
