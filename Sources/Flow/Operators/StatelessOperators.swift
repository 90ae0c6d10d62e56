/// Applies a function to each record.
public final class MapOperator<In: Sendable, Out: Sendable>: Operator {
    private let transform: @Sendable (In) -> Out

    public init(_ transform: @escaping @Sendable (In) -> Out) { self.transform = transform }

    public func process(_ batch: [In], into output: Collector<Out>) {
        for record in batch { output.emit(transform(record)) }
    }
}

/// Keeps the records a predicate accepts.
public final class FilterOperator<Record: Sendable>: Operator {
    private let isIncluded: @Sendable (Record) -> Bool

    public init(_ isIncluded: @escaping @Sendable (Record) -> Bool) { self.isIncluded = isIncluded }

    public func process(_ batch: [Record], into output: Collector<Record>) {
        for record in batch where isIncluded(record) { output.emit(record) }
    }
}

/// Turns each record into zero or more records.
public final class FlatMapOperator<In: Sendable, Out: Sendable>: Operator {
    private let transform: @Sendable (In, Collector<Out>) -> Void

    /// `transform` emits the records for one input record into the collector it is given.
    public init(_ transform: @escaping @Sendable (In, Collector<Out>) -> Void) { self.transform = transform }

    public func process(_ batch: [In], into output: Collector<Out>) {
        for record in batch { transform(record, output) }
    }
}

extension DataStream {
    /// Applies `transform` to each record.
    public func map<Out: Sendable>(_ name: String = "map", id: String? = nil, _ transform: @escaping @Sendable (Record) -> Out) -> DataStream<Out> {
        apply(name, id: id) { _ in MapOperator(transform) }
    }

    /// Keeps the records `isIncluded` accepts.
    public func filter(_ name: String = "filter", id: String? = nil, _ isIncluded: @escaping @Sendable (Record) -> Bool) -> DataStream<Record> {
        apply(name, id: id) { _ in FilterOperator(isIncluded) }
    }

    /// Turns each record into the records `transform` emits for it.
    public func flatMap<Out: Sendable>(_ name: String = "flat-map", id: String? = nil, _ transform: @escaping @Sendable (Record, Collector<Out>) -> Void) -> DataStream<Out> {
        apply(name, id: id) { _ in FlatMapOperator(transform) }
    }
}
