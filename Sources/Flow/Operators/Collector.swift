/// Where an operator or a source emits its records: they are collected into the batch the host
/// sends downstream when the call that emitted them returns.
public final class Collector<Record: Sendable> {
    private var buffer: [Record] = []
    private let downstream: any ElementReceiver<Record>
    /// Counts the records sent (the runtime's records-out meter).
    private let sent: Counter?

    /// A collector that sends to `downstream` (the runtime and test harnesses make them).
    public init(_ downstream: any ElementReceiver<Record>) {
        self.downstream = downstream
        sent = nil
    }

    /// A collector that sends to `downstream` and counts what it sends into `sent`.
    init(_ downstream: any ElementReceiver<Record>, countingInto sent: Counter) {
        self.downstream = downstream
        self.sent = sent
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

    /// Sends the pending records, then a watermark (for operators that make watermarks; the host
    /// passes upstream watermarks on by itself).
    public func emit(watermark: EventTime) throws {
        if !buffer.isEmpty { try sendBatch() }
        try downstream.receive(watermark: watermark)
    }

    /// Whether records wait to be sent.
    var hasPending: Bool { !buffer.isEmpty }

    /// Sends the batch being built downstream (an empty one too, so that an operator sends
    /// exactly one batch per batch it received, which ordered exchanges count on).
    func sendBatch() throws {
        let batch = buffer
        buffer = []
        buffer.reserveCapacity(batch.count)
        sent?.add(batch.count)
        try downstream.receive(batch)
    }

    /// Passes a flush on (a collector holds nothing between calls).
    func flush() throws { try downstream.flush() }

    /// Sends the pending records, if any, then the barrier.
    func send(barrier: CheckpointBarrier) throws {
        if !buffer.isEmpty { try sendBatch() }
        try downstream.receive(barrier: barrier)
    }

    /// Sends the pending records, if any, then the end of input.
    func sendEndOfInput() throws {
        if !buffer.isEmpty { try sendBatch() }
        try downstream.receiveEndOfInput()
    }
}
