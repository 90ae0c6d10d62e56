/// Every 4–10 minutes of event time a random tag starts trending for 2–5
/// minutes; while it does, about 15% of composed tweets carry it.
struct TrendingHashtagBursts {
    private let tagCount: Int
    private var nextStartMs: Int64
    private var endMs: Int64 = .min
    private var tag = 0

    init(startMs: Int64, tagCount: Int, random: inout SeededRandom) {
        self.tagCount = tagCount
        nextStartMs = startMs + Int64(random.int(in: 60_000...240_000))
    }

    /// The tag trending at `timeMs`, if any. `timeMs` should not decrease.
    mutating func trendingTag(atMs timeMs: Int64, random: inout SeededRandom) -> Int? {
        while timeMs >= nextStartMs {
            // Skip the head of the vocabulary so bursts stand out from the usual top tags.
            tag = (20 + random.below(5_000)) % tagCount
            endMs = nextStartMs + Int64(random.int(in: 120_000...300_000))
            nextStartMs += Int64(random.int(in: 240_000...600_000))
        }
        return timeMs < endMs ? tag : nil
    }
}
