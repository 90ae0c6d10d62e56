import Flow
import FlowTesting
import Operators
import Testing

struct ReplayPacerTests {
    private func tweet(at seconds: Int64) -> Tweet { Tweet(eventTime: EventTime(milliseconds: seconds * 1000), hashtags: []) }

    @Test func sixtyTimesRealTimeTakesOneSixtiethOfTheEventTime() throws {
        let clock = ManualClock()
        let harness = OperatorHarness<Tweet, Tweet> { output, _ in ReplayPacer(output: output, factor: 60, clock: clock) }
        try harness.process((0...120).map { tweet(at: $0) })
        try harness.finish()
        #expect(abs(clock.totalSlept - 2) < 0.01)
        #expect(harness.records.map(\.eventTime.milliseconds) == (0...120).map { $0 * 1000 })
    }

    @Test func outOfOrderRecordsDoNotMakeThePacerWait() throws {
        let clock = ManualClock()
        let harness = OperatorHarness<Tweet, Tweet> { output, _ in ReplayPacer(output: output, factor: 1, clock: clock) }
        try harness.process([tweet(at: 10), tweet(at: 5), tweet(at: 11)])
        #expect(abs(clock.totalSlept - 1) < 0.01)
    }

    @Test(arguments: ["max", "realtime", "60x", "0.5x"])
    func speedsParse(text: String) {
        #expect(ReplaySpeed(text) != nil)
    }

    @Test(arguments: ["fast", "0x", "-2x", "x", ""])
    func badSpeedsDoNotParse(text: String) {
        #expect(ReplaySpeed(text) == nil)
    }
}
