/// Event times for the log.
///
/// The stream's progress advances by uniform random gaps averaging
/// `1 / tweetsPerSecond`. Each tweet's `timestamp_ms` is the progress minus
/// 0…3000 ms (so lines are not sorted, but never more than 3 s behind the
/// latest time seen), except about 1 in 2,000 tweets, which are 5–90 s late.
/// Times never precede the start time; the first tweet is exactly at it.
struct TweetEventClock {
    static let maxDisorderMs = 3_000
    static let lateMs = 5_000...90_000
    static let latePerTweets = 2_000

    let startMs: Int64
    private let meanGapMicros: Int
    private var progressMicros: Int64 = 0
    private var started = false

    init(startMs: Int64, tweetsPerSecond: Double) {
        precondition(tweetsPerSecond > 0, "tweetsPerSecond must be positive")
        self.startMs = startMs
        meanGapMicros = max(1, Int((1_000_000 / tweetsPerSecond).rounded()))
    }

    /// The latest time the stream has reached (for notices and bursts).
    var progressMs: Int64 { startMs + progressMicros / 1000 }

    /// Advances the stream and returns the next tweet's event time.
    mutating func nextTweetTime(_ random: inout SeededRandom) -> Int64 {
        guard started else {
            started = true
            return startMs
        }
        progressMicros += Int64(random.below(2 * meanGapMicros + 1))
        let elapsed = Int(progressMicros / 1000)
        let isLate = random.below(Self.latePerTweets) == 0 && elapsed >= Self.lateMs.lowerBound
        let delay = isLate
            ? random.int(in: Self.lateMs.lowerBound...min(Self.lateMs.upperBound, elapsed))
            : random.int(in: 0...min(Self.maxDisorderMs, elapsed))
        return progressMs - Int64(delay)
    }
}
