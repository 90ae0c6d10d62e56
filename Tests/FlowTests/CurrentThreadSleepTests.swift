import Flow
import Testing

/// Waits and backoff arithmetic on durations from settings: nothing traps, however long.
struct CurrentThreadSleepTests {
    @Test func zeroAndNegativeDurationsDoNotWait() {
        let clock = ContinuousClock()
        let start = clock.now
        CurrentThread.sleep(for: .zero)
        CurrentThread.sleep(for: .seconds(-3600))
        CurrentThread.sleep(for: .milliseconds(20))
        let waited = clock.now - start
        #expect(waited >= .milliseconds(20) && waited < .seconds(2))
    }

    @Test func millisecondsSaturateInsteadOfOverflowing() {
        #expect(Duration.seconds(Int64.max).milliseconds == .max)
        #expect(Duration.seconds(Int64.min).milliseconds == .min)
        #expect(Duration.seconds(7200).milliseconds == 7_200_000)
        #expect(Duration.milliseconds(-1500).milliseconds == -1500)
    }

    @Test func doublingStopsAtTheLimit() {
        #expect(Duration.milliseconds(100).doubled(upTo: .seconds(5)) == .milliseconds(200))
        #expect(Duration.seconds(3).doubled(upTo: .seconds(5)) == .seconds(5))
        #expect(Duration.seconds(Int64.max).doubled(upTo: .seconds(Int64.max)) == .seconds(Int64.max))
    }
}
