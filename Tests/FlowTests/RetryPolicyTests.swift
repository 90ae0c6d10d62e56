import Flow
import FlowTesting
import Testing

/// Retries on a simulated clock: each sleep moves it forward and is recorded, so the delays are
/// checked exactly and nothing waits or depends on the machine's speed.
struct RetryPolicyTests {
    struct Busy: Error {}
    struct Refused: Error {}

    /// A clock that moves only when slept on (or when a try says it took time).
    final class SimulatedTime {
        var now: Duration = .zero
        var sleeps: [Duration] = []
        var randoms: () -> Double = { 0.5 }

        var environment: RetryPolicy.Environment {
            RetryPolicy.Environment(now: { self.now }, sleep: { self.sleeps.append($0); self.now += $0 }, random: { self.randoms() })
        }
    }

    @Test func delaysDoubleUpToTheCap() throws {
        let time = SimulatedTime()
        let policy = RetryPolicy(attempts: 7, firstDelay: .milliseconds(100), maximumDelay: .seconds(1))
        var tries = 0
        let exhausted = try #require(throws: RetryPolicy.Exhausted.self) {
            try policy.run(retryingIf: { $0 is Busy }, environment: time.environment) { tries += 1; throw Busy() }
        }
        #expect(tries == 7)
        #expect(exhausted.attempts == 7 && exhausted.limit == .attempts && exhausted.lastError is Busy)
        #expect(time.sleeps == [100, 200, 400, 800, 1000, 1000].map { .milliseconds($0) })
    }

    @Test func aFirstDelayAboveTheCapWaitsTheCap() {
        let policy = RetryPolicy(attempts: 3, firstDelay: .seconds(7200), maximumDelay: .seconds(5))
        #expect((1...3).map(policy.delay(afterAttempt:)) == [.seconds(5), .seconds(5), .seconds(5)])
        let huge = RetryPolicy(attempts: 1000, firstDelay: .seconds(1), maximumDelay: .seconds(Int64.max))
        #expect(huge.delay(afterAttempt: 1000) == .seconds(Int64.max))
    }

    @Test func successAfterFailuresReturnsTheValueAndCountsRetries() throws {
        let time = SimulatedTime()
        let policy = RetryPolicy(attempts: 5, firstDelay: .milliseconds(10), maximumDelay: .seconds(1))
        var tries = 0
        var retries: [Duration] = []
        let value = try policy.run(retryingIf: { $0 is Busy }, environment: time.environment, willRetry: { _, delay in retries.append(delay) }) {
            tries += 1
            if tries < 3 { throw Busy() }
            return "done"
        }
        #expect(value == "done" && tries == 3)
        #expect(retries == [.milliseconds(10), .milliseconds(20)] && time.sleeps == retries)
    }

    /// Each try takes 1 s of the 10 s budget: waits of 1, 2 and 4 s fit (the tries end at 1, 3, 6
    /// and 11 s, the third wait exactly at 10 s); an 8 s wait would not, so the fourth failure ends it.
    @Test func theBudgetStopsRetriesEarly() throws {
        let time = SimulatedTime()
        let policy = RetryPolicy(attempts: 100, firstDelay: .seconds(1), maximumDelay: .seconds(60), budget: .seconds(10))
        var tries = 0
        let exhausted = try #require(throws: RetryPolicy.Exhausted.self) {
            try policy.run(retryingIf: { _ in true }, environment: time.environment) {
                tries += 1
                time.now += .seconds(1)
                throw Busy()
            }
        }
        #expect(tries == 4 && exhausted.attempts == 4 && exhausted.limit == .budget)
        #expect(time.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func aNonRetryableErrorPassesThroughAtOnce() {
        let time = SimulatedTime()
        let policy = RetryPolicy(attempts: 8, firstDelay: .seconds(1), maximumDelay: .seconds(5))
        var tries = 0
        #expect(throws: Refused.self) {
            try policy.run(retryingIf: { $0 is Busy }, environment: time.environment) { tries += 1; throw Refused() }
        }
        #expect(tries == 1 && time.sleeps.isEmpty)
    }

    @Test func oneAttemptNeverWaits() throws {
        let time = SimulatedTime()
        let policy = RetryPolicy(attempts: 0, firstDelay: .seconds(1), maximumDelay: .seconds(5))
        let exhausted = try #require(throws: RetryPolicy.Exhausted.self) {
            try policy.run(retryingIf: { _ in true }, environment: time.environment) { throw Busy() }
        }
        #expect(exhausted.attempts == 1 && time.sleeps.isEmpty)
    }

    /// A jitter of 0.5 makes each delay a value between half of it and all of it: the extremes
    /// of the random value give the bounds exactly, and seeded values stay between them.
    @Test func jitteredDelaysStayWithinBounds() throws {
        let policy = RetryPolicy(attempts: 9, firstDelay: .milliseconds(100), maximumDelay: .seconds(2), jitter: 0.5)
        let backoff = (1...8).map(policy.delay(afterAttempt:))
        for (random, expected) in [(0.0, backoff), (1.0, backoff.map { $0 / 2 })] {
            let time = SimulatedTime()
            time.randoms = { random }
            _ = try? policy.run(retryingIf: { _ in true }, environment: time.environment) { throw Busy() }
            #expect(time.sleeps == expected)
        }
        var generator = SplitMix64(seed: 42)
        let time = SimulatedTime()
        time.randoms = { Double.random(in: 0...1, using: &generator) }
        _ = try? policy.run(retryingIf: { _ in true }, environment: time.environment) { throw Busy() }
        #expect(time.sleeps.count == 8)
        for (delay, full) in zip(time.sleeps, backoff) { #expect(delay >= full / 2 && delay <= full, "\(delay) outside \(full / 2)…\(full)") }
        #expect(Set(zip(time.sleeps, backoff).map { $0 / $1 }).count > 1, "the jitter drew the same fraction every time")
    }
}
