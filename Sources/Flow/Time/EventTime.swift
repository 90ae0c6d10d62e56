/// A point in event time: milliseconds since the Unix epoch, as carried by records.
///
/// Event time comes from the data (a tweet's `timestamp_ms`), never from the clock, so that a
/// job's output does not depend on how fast or in what batches it runs.
public struct EventTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Earlier than every real event time: the watermark before any record was read.
    public static let min = EventTime(milliseconds: .min)
    /// Later than every real event time: the watermark after the end of input.
    public static let max = EventTime(milliseconds: .max)

    /// The event times a record may carry: the years 1 to 9999, 0001-01-01T00:00:00Z to
    /// 9999-12-31T23:59:59.999Z (those ISO 8601 can write). Bounding them keeps every window end,
    /// watermark and pacing delay computed from them far inside `Int64`; a source treats a record
    /// outside as malformed.
    public static let supportedMilliseconds: ClosedRange<Int64> = -62_135_596_800_000 ... 253_402_300_799_999

    /// The times restored state may hold: event times, window bounds past them by up to a
    /// window's length, and watermarks all lie inside ±2^50 ms (±35,000 years), so any sum of one
    /// with a setting's duration stays inside `Int64`.
    public static let plausibleMilliseconds: ClosedRange<Int64> = -(1 << 50) ... (1 << 50)

    /// The event time at `milliseconds`, or nil outside ``supportedMilliseconds``.
    public static func supported(milliseconds: Int64) -> EventTime? {
        supportedMilliseconds.contains(milliseconds) ? EventTime(milliseconds: milliseconds) : nil
    }

    public static func < (lhs: EventTime, rhs: EventTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public var description: String { "\(milliseconds)ms" }
}

/// A record that knows its own event time.
public protocol EventTimed {
    var eventTime: EventTime { get }
    /// The watermark that came before the record in its input's order, stamped by a watermark
    /// generator that runs in parallel subtasks (``EventTime/min`` when none did): event-time
    /// operators judge lateness by it, since the watermark they hold then may still lag behind it.
    var sequencedWatermark: EventTime { get }
}

extension EventTimed {
    @inlinable public var sequencedWatermark: EventTime { .min }
}

/// A record that a parallel watermark generator stamps with the watermark before it.
public protocol WatermarkStamped: EventTimed {
    var sequencedWatermark: EventTime { get set }
}

extension Int64 {
    /// Floor division, which rounds towards negative infinity (Swift's `/` rounds towards zero).
    @inlinable
    public func flooredDivision(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

extension Duration {
    /// The duration in whole milliseconds, saturating at `Int64.min`/`Int64.max` for durations
    /// too long to count that way (a setting of millions of years must not trap).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, carried) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return carried ? (whole < 0 ? .min : .max) : total
    }
}
