/// Combines the watermarks of several inputs into one: the minimum over all inputs that have not
/// ended. An input that reached its end no longer holds time back.
public struct WatermarkTracker: Sendable {
    private var watermarks: [EventTime]
    private var ended: [Bool]
    /// The combined watermark last reported by ``update(_:forInput:)``.
    public private(set) var current: EventTime = .min

    public init(inputs: Int) {
        precondition(inputs > 0, "a watermark tracker needs at least one input, got \(inputs)")
        watermarks = Array(repeating: .min, count: inputs)
        ended = Array(repeating: false, count: inputs)
    }

    /// Records input `index`'s new watermark; returns the combined watermark if it advanced.
    public mutating func update(_ watermark: EventTime, forInput index: Int) -> EventTime? {
        if watermark > watermarks[index] { watermarks[index] = watermark }
        return advance()
    }

    /// Marks input `index` as ended; returns the combined watermark if it advanced.
    public mutating func end(input index: Int) -> EventTime? {
        ended[index] = true
        watermarks[index] = .max
        return advance()
    }

    /// Whether every input has ended.
    public var allEnded: Bool { !ended.contains(false) }

    private mutating func advance() -> EventTime? {
        let minimum = watermarks.min()!
        guard minimum > current else { return nil }
        current = minimum
        return minimum
    }
}
