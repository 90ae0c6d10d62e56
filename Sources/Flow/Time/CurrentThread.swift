#if canImport(Glibc)
import Glibc
#endif

/// Blocking waits of the calling thread, for the few places that wait in real time: retries with
/// backoff, polls, replay pacing.
public enum CurrentThread {
    /// Blocks the calling thread for `duration`, resuming after signals until the time is up.
    ///
    /// Safe for any duration a setting can hold: zero or negative returns at once, and a long one
    /// (hours, years) waits that long, with nothing converted into a type that could overflow.
    public static func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var remaining = timespec(tv_sec: time_t(clamping: seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&remaining, &left) != 0 && errno == EINTR { remaining = left }
    }
}

extension Duration {
    /// Twice this duration, but at most `limit`: the next delay of an exponential backoff
    /// (never overflows, whatever the durations).
    public func doubled(upTo limit: Duration) -> Duration {
        self >= limit / 2 ? limit : self * 2
    }
}
