/// A place between two tokens where a tweet text may be cut.
struct TweetTextCutPoint {
    var bytes: Int
    var codePoints: Int
}

/// A hashtag, mention or link inside a `ComposedTweetText`.
/// `start`/`end` are code point offsets, as in Twitter's `indices`.
struct TweetTextEntity {
    var start: Int
    var end: Int
    /// The entity's text in `ComposedTweetText.utf8` (for hashtags without the `#`).
    var byteStart: Int
    var byteEnd: Int
    /// Mentions and quote links: index into the user pool; otherwise -1.
    var user: Int = -1
    /// Links: the number the t.co code and target derive from.
    var link: Int64 = 0
    /// Links: points to a tweet (quote link) rather than an external site.
    var isStatusLink = false
}

/// A tweet's full text as raw UTF-8 with its entities; reused between tweets.
struct ComposedTweetText {
    var utf8: [UInt8] = []
    var codePoints = 0
    var cutPoints: [TweetTextCutPoint] = []
    var hashtags: [TweetTextEntity] = []
    var mentions: [TweetTextEntity] = []
    var urls: [TweetTextEntity] = []

    mutating func reset() {
        utf8.removeAll(keepingCapacity: true)
        codePoints = 0
        cutPoints.removeAll(keepingCapacity: true)
        cutPoints.append(TweetTextCutPoint(bytes: 0, codePoints: 0))
        hashtags.removeAll(keepingCapacity: true)
        mentions.removeAll(keepingCapacity: true)
        urls.removeAll(keepingCapacity: true)
    }

    var end: TweetTextCutPoint { TweetTextCutPoint(bytes: utf8.count, codePoints: codePoints) }

    /// The longest token-aligned prefix of at most `limit` code points.
    func prefix(atMost limit: Int) -> TweetTextCutPoint {
        if codePoints <= limit { return end }
        var best = cutPoints[0]
        for point in cutPoints where point.codePoints <= limit { best = point }
        return best
    }

    /// Appends raw UTF-8 and returns its code point count.
    @discardableResult
    mutating func append(_ bytes: [UInt8]) -> Int {
        var count = 0
        for b in bytes where b & 0xC0 != 0x80 { count += 1 }
        utf8.append(contentsOf: bytes)
        codePoints += count
        return count
    }

    @inline(__always)
    mutating func appendASCII(_ byte: UInt8) {
        utf8.append(byte)
        codePoints += 1
    }

    mutating func markCutPoint() {
        cutPoints.append(end)
    }

    /// Undoes appends back to `point` (entities must not have been added since).
    mutating func rollBack(to point: TweetTextCutPoint) {
        utf8.removeLast(utf8.count - point.bytes)
        codePoints = point.codePoints
    }
}
