#if canImport(Glibc)
import Glibc
#endif

/// The wall clock, for the few operators that pace themselves against real time (replay speed).
/// Event-time logic never reads it. Tests substitute a manual clock.
public protocol WallClock: AnyObject, Sendable {
    /// Seconds on a monotonic clock.
    func now() -> Double
    /// Waits `seconds`.
    func sleep(seconds: Double)
}

/// The machine's monotonic clock.
public final class SystemClock: WallClock {
    public init() {}

    public func now() -> Double { Self.monotonicSeconds() }

    /// Seconds on the monotonic clock, without a clock instance.
    public static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Waits `seconds`, at most a minute at a time; NaN and negative values do not wait.
    public func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        CurrentThread.sleep(for: .seconds(min(seconds, 60)))
    }
}
