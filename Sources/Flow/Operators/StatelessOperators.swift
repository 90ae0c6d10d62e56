/// Applies a function to each record.
public final class MapOperator<In: Sendable, Out: Sendable>: ElementReceiver {
    private let output: Output<Out>
    private let transform: @Sendable (In) -> Out

    public init(output: Output<Out>, transform: @escaping @Sendable (In) -> Out) {
        self.output = output
        self.transform = transform
    }

    public func receive(_ batch: [In]) throws {
        for record in batch { output.emit(transform(record)) }
        try output.flush()
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }
    public func receive(barrier: CheckpointBarrier) throws { try output.emit(barrier: barrier) }
    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}

/// Keeps the records a predicate accepts.
public final class FilterOperator<Record: Sendable>: ElementReceiver {
    private let output: Output<Record>
    private let isIncluded: @Sendable (Record) -> Bool

    public init(output: Output<Record>, isIncluded: @escaping @Sendable (Record) -> Bool) {
        self.output = output
        self.isIncluded = isIncluded
    }

    public func receive(_ batch: [Record]) throws {
        for record in batch where isIncluded(record) { output.emit(record) }
        try output.flush()
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }
    public func receive(barrier: CheckpointBarrier) throws { try output.emit(barrier: barrier) }
    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}

/// Turns each record into zero or more records.
public final class FlatMapOperator<In: Sendable, Out: Sendable>: ElementReceiver {
    private let output: Output<Out>
    private let transform: @Sendable (In, Output<Out>) -> Void

    /// `transform` emits the records for one input record into the output it is given.
    public init(output: Output<Out>, transform: @escaping @Sendable (In, Output<Out>) -> Void) {
        self.output = output
        self.transform = transform
    }

    public func receive(_ batch: [In]) throws {
        for record in batch { transform(record, output) }
        try output.flush()
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }
    public func receive(barrier: CheckpointBarrier) throws { try output.emit(barrier: barrier) }
    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}

extension DataStream {
    /// Applies `transform` to each record.
    public func map<Out: Sendable>(_ name: String = "map", _ transform: @escaping @Sendable (Record) -> Out) -> DataStream<Out> {
        apply(name) { output, _ in MapOperator(output: output, transform: transform) }
    }

    /// Keeps the records `isIncluded` accepts.
    public func filter(_ name: String = "filter", _ isIncluded: @escaping @Sendable (Record) -> Bool) -> DataStream<Record> {
        apply(name) { output, _ in FilterOperator(output: output, isIncluded: isIncluded) }
    }

    /// Turns each record into the records `transform` emits for it.
    public func flatMap<Out: Sendable>(_ name: String = "flat-map", _ transform: @escaping @Sendable (Record, Output<Out>) -> Void) -> DataStream<Out> {
        apply(name) { output, _ in FlatMapOperator(output: output, transform: transform) }
    }
}
