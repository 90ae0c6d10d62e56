import Flow

/// The aggregate of one key in one window.
public struct WindowResult<Key: Sendable, Value: Sendable>: Sendable {
    /// The window's first millisecond (inclusive).
    public var windowStart: EventTime
    /// The window's end (exclusive); the window fired when the watermark reached `windowEnd − 1`.
    public var windowEnd: EventTime
    public var key: Key
    public var value: Value
    /// The watermark that fired the window: `end − 1` for its first firing, the one whose arrival
    /// fired it for an update (`.max` at the end of input). A merge downstream takes the result
    /// only once its combined watermark is there, so that a window fired again by a fast subtask
    /// is not mixed into an earlier firing.
    public var firedAt: EventTime

    public init(windowStart: EventTime, windowEnd: EventTime, key: Key, value: Value, firedAt: EventTime = .min) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.key = key
        self.value = value
        self.firedAt = firedAt
    }
}

/// Checkpointed as its start, end, key, value and the watermark that fired it.
extension WindowResult: StateCodable where Key: StateCodable, Value: StateCodable {
    public func encode(to writer: inout StateWriter) {
        writer.write(windowStart.milliseconds)
        writer.write(windowEnd.milliseconds)
        writer.write(key)
        writer.write(value)
        writer.write(firedAt.milliseconds)
    }

    public init(from reader: inout StateReader) throws {
        let start = try reader.readInt64(), end = try reader.readInt64()
        guard EventTime.plausibleMilliseconds.contains(start), EventTime.plausibleMilliseconds.contains(end) else {
            throw StateReader.Damaged(description: "a window result's bounds (\(start), \(end)) are impossible")
        }
        self.init(windowStart: EventTime(milliseconds: start), windowEnd: EventTime(milliseconds: end),
                  key: try reader.read(Key.self), value: try reader.read(Value.self), firedAt: EventTime(milliseconds: try reader.readEventTime()))
    }
}

/// A key's place in a window's top K.
public struct RankedResult<Key: Sendable, Value: Sendable>: Sendable {
    public var windowEnd: EventTime
    /// 1 for the largest value.
    public var rank: Int
    public var key: Key
    public var value: Value

    public init(windowEnd: EventTime, rank: Int, key: Key, value: Value) {
        self.windowEnd = windowEnd
        self.rank = rank
        self.key = key
        self.value = value
    }
}

/// Counts per key and window, as the trending job produces them.
public typealias KeyedCount = WindowResult<KeyString, Int64>
/// A ranked count, one line of the trending job's output.
public typealias RankedCount = RankedResult<KeyString, Int64>
