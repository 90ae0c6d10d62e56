/// Combines the watermarks of several inputs into one: the minimum over all inputs that have not
/// ended. An input that reached its end no longer holds time back.
public struct WatermarkTracker: Sendable {
    private var watermarks: [EventTime]
    private var ended: [Bool]
    /// Inputs marked idle: left out of the minimum until they send again.
    private var idle: [Bool]
    /// The combined watermark last reported by ``update(_:forInput:)``.
    public private(set) var current: EventTime = .min

    public init(inputs: Int) {
        precondition(inputs > 0, "a watermark tracker needs at least one input, got \(inputs)")
        watermarks = Array(repeating: .min, count: inputs)
        ended = Array(repeating: false, count: inputs)
        idle = Array(repeating: false, count: inputs)
    }

    /// Records input `index`'s new watermark; returns the combined watermark if it advanced.
    public mutating func update(_ watermark: EventTime, forInput index: Int) -> EventTime? {
        if watermark > watermarks[index] { watermarks[index] = watermark }
        idle[index] = false
        return advance()
    }

    /// Marks input `index` idle (it has been silent): the others' watermarks no longer wait for it,
    /// until it sends again (``markActive(_:)``, or a watermark); when every input is idle, the
    /// combined watermark is the largest of theirs. Returns the combined watermark if it advanced.
    /// It never goes back: records of an input that wakes up behind it are late.
    public mutating func markIdle(_ index: Int) -> EventTime? {
        idle[index] = true
        return advance()
    }

    /// Input `index` sends again (records): its watermark counts again.
    public mutating func markActive(_ index: Int) { idle[index] = false }

    /// Whether input `index` is marked idle.
    public func isIdle(_ index: Int) -> Bool { idle[index] }

    /// Marks input `index` as ended; returns the combined watermark if it advanced.
    public mutating func end(input index: Int) -> EventTime? {
        ended[index] = true
        watermarks[index] = .max
        return advance()
    }

    /// Whether every input has ended.
    public var allEnded: Bool { !ended.contains(false) }

    private mutating func advance() -> EventTime? {
        var minimum = EventTime.max
        var anyActive = false
        for index in watermarks.indices where !idle[index] && !ended[index] {
            anyActive = true
            minimum = Swift.min(minimum, watermarks[index])
        }
        if !anyActive && !allEnded {
            // Every input that has not ended is idle: time goes as far as the furthest of them
            // (as Flink's watermark valve does), whichever went idle last.
            minimum = EventTime.min
            for index in watermarks.indices where !ended[index] { minimum = Swift.max(minimum, watermarks[index]) }
        }
        guard minimum > current else { return nil }
        current = minimum
        return minimum
    }
}
