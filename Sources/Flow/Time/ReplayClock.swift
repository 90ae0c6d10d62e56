/// How fast a recorded log is replayed.
public enum ReplaySpeed: Sendable, Equatable, CustomStringConvertible {
    /// As fast as possible.
    case max
    /// `factor` seconds of event time per second of wall time (1 is real time).
    case factor(Double)

    /// Parses `max`, `realtime`, or a factor such as `60x`; nil for anything else.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "max": self = .max
        case "realtime": self = .factor(1)
        default:
            guard text.lowercased().hasSuffix("x"), let factor = Double(text.dropLast()), factor > 0, factor.isFinite else { return nil }
            self = .factor(factor)
        }
    }

    public var description: String {
        switch self {
        case .max: "max"
        case .factor(let factor): factor == 1 ? "realtime" : "\(factor)x"
        }
    }
}

/// Decides when a replayed record is due: event time passes at `factor` times the wall clock,
/// measured from the first record and following the largest event time seen, so records out of
/// order never wait. Order and content are untouched: the output is the same at every speed.
///
/// A source asks ``admits(_:)`` for each record; the host sleeps until ``wallTime(due:)`` of the
/// first one refused, checking for barriers and stops meanwhile.
public final class ReplayClock {
    public let factor: Double
    private let clock: any WallClock
    private var start: (eventTime: Int64, wall: Double)?
    private var largestAdmitted = Int64.min

    public init(factor: Double, clock: any WallClock = SystemClock()) {
        precondition(factor > 0 && factor.isFinite, "a replay factor must be positive and finite, got \(factor)")
        self.factor = factor
        self.clock = clock
    }

    /// Whether the record with event time `time` may be emitted now; admitting it moves the
    /// replay's event time forward.
    public func admits(_ time: EventTime) -> Bool {
        let milliseconds = time.milliseconds
        guard milliseconds > largestAdmitted else { return true }
        guard let start else {
            start = (milliseconds, clock.now())
            largestAdmitted = milliseconds
            return true
        }
        // Within a millisecond of its time counts as due, so a sleep that wakes a little early does not spin.
        guard wallTime(due: time, from: start) - clock.now() <= 0.001 else { return false }
        largestAdmitted = milliseconds
        return true
    }

    /// The wall-clock time (as ``WallClock/now()``) at which a record with event time `time` is due.
    public func wallTime(due time: EventTime) -> Double {
        guard let start else { return clock.now() }
        return wallTime(due: time, from: start)
    }

    private func wallTime(due time: EventTime, from start: (eventTime: Int64, wall: Double)) -> Double {
        start.wall + (Double(time.milliseconds) - Double(start.eventTime)) / 1000 / factor
    }
}
