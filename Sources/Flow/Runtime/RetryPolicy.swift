/// How a connector retries work that failed for a reason that may pass (a lost connection, a busy
/// server): at most `attempts` tries, exponential backoff from `firstDelay` doubling up to
/// `maximumDelay`, each delay shortened by a random `jitter`, all within an optional time `budget`.
///
/// The policy knows nothing of connectors: the caller says which errors are worth retrying and
/// words the sentence for a failure that outlasted the policy from ``Exhausted``. It runs on the
/// calling thread and blocks it while waiting (``CurrentThread/sleep(for:)``), so use it only
/// where a task may wait: a sink's flush, a source's read, the setup of a job.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first one included; below 1 counts as 1.
    public var attempts: Int
    /// The wait before the second try (at most `maximumDelay`).
    public var firstDelay: Duration
    /// The longest wait between two tries: doubling stops here.
    public var maximumDelay: Duration
    /// The fraction of each delay that is random, in 0…1: a delay `d` becomes a uniform value in
    /// `d × (1 − jitter) … d`, so that many subtasks failing together do not retry together.
    /// 0 waits exactly the backoff.
    public var jitter: Double
    /// The time from the first try after which no retry starts: a retry whose wait would end past
    /// it is not made. A try already running is not cut short. `nil`: no limit but `attempts`.
    public var budget: Duration?

    public init(attempts: Int, firstDelay: Duration, maximumDelay: Duration, jitter: Double = 0, budget: Duration? = nil) {
        self.attempts = attempts
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
        self.budget = budget
    }

    /// The wait after failed try number `attempt` (1 is the first), before jitter: `firstDelay`
    /// doubled `attempt − 1` times, never more than `maximumDelay`. Never overflows.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = min(firstDelay, maximumDelay)
        for _ in 1..<max(1, attempt) where delay < maximumDelay { delay = delay.doubled(upTo: maximumDelay) }
        return delay
    }

    /// `delay` shortened by the jitter; `random` is uniform in 0…1.
    func jittered(_ delay: Duration, random: Double) -> Duration {
        let fraction = min(max(jitter, 0), 1)
        return fraction == 0 ? delay : delay * (1 - fraction * min(max(random, 0), 1))
    }
}

extension RetryPolicy {
    /// Why a retryable failure ended the retries.
    public enum Limit: Sendable, Equatable {
        /// Every one of `attempts` tries failed.
        case attempts
        /// The next wait would have ended past the `budget`.
        case budget
    }

    /// Thrown when every try the policy allowed failed with a retryable error.
    public struct Exhausted: Error, CustomStringConvertible {
        /// How many tries were made.
        public var attempts: Int
        /// The error of the last try.
        public var lastError: any Error
        /// What stopped the retries.
        public var limit: Limit

        public init(attempts: Int, lastError: any Error, limit: Limit) {
            self.attempts = attempts
            self.lastError = lastError
            self.limit = limit
        }

        public var description: String { "\(lastError) after \(attempts) attempts" }
    }
}

extension RetryPolicy {
    /// Runs `body` until it returns, retrying the errors `isRetryable` accepts.
    ///
    /// After a retryable failure it waits the next delay (``delay(afterAttempt:)``, jittered) and
    /// tries again, unless that was the last attempt or the wait would end past the budget.
    ///
    /// - Parameters:
    ///   - isRetryable: Whether an error may pass if tried again; asked once for every failure.
    ///   - environment: The time, waits and randomness to use; tests pass a simulated one.
    ///   - willRetry: Called before each wait with the error and the delay (to count retries).
    ///   - body: The work; it runs again from the start on each try.
    /// - Returns: What `body` returned.
    /// - Throws: An error `isRetryable` refuses, at once and unchanged; ``Exhausted`` when the
    ///   last allowed try failed with a retryable error.
    public func run<T>(
        retryingIf isRetryable: (any Error) -> Bool,
        environment: Environment = .system,
        willRetry: (_ error: any Error, _ delay: Duration) -> Void = { _, _ in },
        _ body: () throws -> T
    ) throws -> T {
        let start = environment.now()
        var attempt = 1
        while true {
            do {
                return try body()
            } catch {
                guard isRetryable(error) else { throw error }
                guard attempt < max(1, attempts) else { throw Exhausted(attempts: attempt, lastError: error, limit: .attempts) }
                let wait = jittered(delay(afterAttempt: attempt), random: environment.random())
                if let budget, wait > budget - (environment.now() - start) {
                    throw Exhausted(attempts: attempt, lastError: error, limit: .budget)
                }
                willRetry(error, wait)
                environment.sleep(wait)
                attempt += 1
            }
        }
    }

    /// Where a retry loop reads the time, waits, and draws its jitter.
    ///
    /// ``system`` is the machine's monotonic clock and ``CurrentThread/sleep(for:)``; a test gives
    /// a simulated clock whose sleep moves it forward, so that nothing depends on the machine's speed.
    public struct Environment {
        /// The time since some fixed origin, never going back.
        public var now: () -> Duration
        /// Waits `delay` on the calling thread.
        public var sleep: (_ delay: Duration) -> Void
        /// A uniform random value in 0…1, for the jitter.
        public var random: () -> Double

        public init(now: @escaping () -> Duration, sleep: @escaping (_ delay: Duration) -> Void, random: @escaping () -> Double) {
            self.now = now
            self.sleep = sleep
            self.random = random
        }

        /// The machine's monotonic clock, real waits, and the system's random numbers.
        public static var system: Environment {
            let origin = ContinuousClock.Instant.now
            return Environment(now: { ContinuousClock.Instant.now - origin }, sleep: CurrentThread.sleep(for:), random: { Double.random(in: 0...1) })
        }
    }
}
