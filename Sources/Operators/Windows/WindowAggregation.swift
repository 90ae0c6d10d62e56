import Flow

/// How records of one key are folded into a window's aggregate.
///
/// Sliding windows keep one accumulator per slice and combine slices into windows; when the
/// aggregation is invertible (count, sum) a window's running total is updated by adding the
/// slice that enters and removing the one that leaves, instead of combining every slice again.
public protocol WindowAggregation<Input, Accumulator>: Sendable {
    associatedtype Input
    associatedtype Accumulator: Sendable & StateCodable
    /// The accumulator of no records.
    var identity: Accumulator { get }
    func add(_ input: Input, to accumulator: inout Accumulator)
    func combine(_ other: Accumulator, into accumulator: inout Accumulator)
    /// Whether ``remove(_:from:)`` undoes ``combine(_:into:)``.
    var isInvertible: Bool { get }
    /// Removes `other` from `accumulator`; only called when ``isInvertible``.
    func remove(_ other: Accumulator, from accumulator: inout Accumulator)
    /// Whether a slice's accumulator read from a checkpoint is one this aggregation can make and
    /// go on from without overflowing.
    func isPlausible(_ accumulator: Accumulator) -> Bool
    /// The accumulator as a whole number (a count or a sum), which lets windows rank keys by
    /// integer comparisons (``SlicedWindowOperator/Emission/largest(k:)``); nil (the default) for
    /// an aggregation whose accumulators are not numbers.
    func integerValue(of accumulator: Accumulator) -> Int64?
}

extension WindowAggregation {
    public func isPlausible(_ accumulator: Accumulator) -> Bool { true }
    public func integerValue(of accumulator: Accumulator) -> Int64? { nil }
}

/// The largest magnitude of one slice's count or sum in a checkpoint: 2^40 (10^12 records of
/// one key in one slide). Windows of up to 100,000 slices then add up far inside `Int64`.
let largestRestoredSliceTotal: Int64 = 1 << 40

/// Counts records.
public struct CountAggregation<Input>: WindowAggregation {
    public init() {}
    public var identity: Int64 { 0 }
    public func add(_ input: Input, to accumulator: inout Int64) { accumulator += 1 }
    public func combine(_ other: Int64, into accumulator: inout Int64) { accumulator += other }
    public var isInvertible: Bool { true }
    public func remove(_ other: Int64, from accumulator: inout Int64) { accumulator -= other }
    public func isPlausible(_ accumulator: Int64) -> Bool { (0...largestRestoredSliceTotal).contains(accumulator) }
    public func integerValue(of accumulator: Int64) -> Int64? { accumulator }
}

/// Sums an integer field of the records.
public struct SumAggregation<Input>: WindowAggregation {
    public let value: @Sendable (Input) -> Int64
    public init(_ value: @escaping @Sendable (Input) -> Int64) { self.value = value }
    public var identity: Int64 { 0 }
    public func add(_ input: Input, to accumulator: inout Int64) { accumulator += value(input) }
    public func combine(_ other: Int64, into accumulator: inout Int64) { accumulator += other }
    public var isInvertible: Bool { true }
    public func remove(_ other: Int64, from accumulator: inout Int64) { accumulator -= other }
    public func isPlausible(_ accumulator: Int64) -> Bool { (-largestRestoredSliceTotal...largestRestoredSliceTotal).contains(accumulator) }
    public func integerValue(of accumulator: Int64) -> Int64? { accumulator }
}

/// Reduces a field of the records with an associative function (max, min …); not invertible,
/// so each window combines its slices afresh.
public struct ReduceAggregation<Input, Value: Sendable & StateCodable>: WindowAggregation {
    public let value: @Sendable (Input) -> Value
    public let reduce: @Sendable (Value, Value) -> Value
    public init(_ value: @escaping @Sendable (Input) -> Value, _ reduce: @escaping @Sendable (Value, Value) -> Value) {
        self.value = value
        self.reduce = reduce
    }
    public var identity: Value? { nil }
    public func add(_ input: Input, to accumulator: inout Value?) {
        let next = value(input)
        accumulator = accumulator.map { reduce($0, next) } ?? next
    }
    public func combine(_ other: Value?, into accumulator: inout Value?) {
        guard let other else { return }
        accumulator = accumulator.map { reduce($0, other) } ?? other
    }
    public var isInvertible: Bool { false }
    public func remove(_ other: Value?, from accumulator: inout Value?) {}
}
