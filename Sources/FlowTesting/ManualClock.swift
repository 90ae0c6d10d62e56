import Flow

/// A wall clock that only moves when told to, or when someone sleeps on it (sleeping advances it
/// at once), so code that paces itself runs instantly and deterministically in tests.
public final class ManualClock: WallClock {
    private let state = Locked<(now: Double, slept: Double)>((0, 0))

    public init(startingAt start: Double = 0) { state.withLock { $0.now = start } }

    public func now() -> Double { state.withLock { $0.now } }

    public func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        state.withLock {
            $0.now += seconds
            $0.slept += seconds
        }
    }

    /// Moves the clock forward.
    public func advance(by seconds: Double) { state.withLock { $0.now += seconds } }

    /// The total time spent in ``sleep(seconds:)``.
    public var totalSlept: Double { state.withLock { $0.slept } }
}
