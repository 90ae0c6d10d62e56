/// Renders the lines of a log — tweets, delete and limit notices, malformed
/// lines — into `out`, each followed by the log's line ending.
struct TweetLogRenderer {
    /// What a status object needs besides its text.
    struct StatusHeader {
        var id: Int64
        var timeMs: Int64
        var user: Int
        var language: Int
        var source: Int
        var unicodeEscapes: Bool
    }

    /// How much of a `ComposedTweetText` a status shows in its `text` field.
    struct DisplayText {
        /// Shows "RT @screen_name: " before the text.
        var retweetedUser: Int?
        var cut: TweetTextCutPoint
        var ellipsis = false
        /// Truncated extended tweet: "… https://t.co/…" linking to this status id.
        var statusLink: Int64?
    }

    static let twitterEpochMs: Int64 = 1_288_834_974_657

    var out = TweetJSONWriter()
    var random: SeededRandom
    let composer: TweetTextComposer
    let lineEnding: StaticString
    /// Writes only the fields hashtag consumers read (see `TweetLogGenerator.Configuration.compact`).
    let compact: Bool
    private var primary = ComposedTweetText()
    private var embedded = ComposedTweetText()
    private var sequence: Int64 = 0
    private var limitTrack: Int64 = 0

    var users: TweetUserPool { composer.users }

    init(seed: UInt64, lineEnding: StaticString, compact: Bool = false) {
        var random = SeededRandom(seed: seed)
        let users = TweetUserPool(count: 20_000, random: &random)
        self.random = random
        self.composer = TweetTextComposer(vocabulary: .shared, users: users)
        self.lineEnding = lineEnding
        self.compact = compact
        out.bytes.reserveCapacity(1 << 21)
    }

    mutating func endLine() {
        out.raw(lineEnding)
    }

    // MARK: - Tweets

    /// Appends one tweet object (without line ending): ~40% retweets, ~3% quotes.
    mutating func appendTweet(timeMs: Int64, trendingTag: Int?) {
        let roll = random.below(1000)
        var header = makeHeader(timeMs: timeMs, user: users.sample(&random))
        if roll < 400 {
            let original = makeHeader(timeMs: timeMs - olderBy(), user: users.sample(&random), escapes: header.unicodeEscapes)
            composer.compose(into: &embedded, textRequest(original, trendingTag, allowExtended: true), random: &random)
            header.language = original.language
            let screenName = users.users[original.user].screenName
            let prefix = 6 + screenName.count  // "RT @" + name + ": "
            var display = DisplayText(retweetedUser: original.user, cut: embedded.end)
            if prefix + embedded.codePoints > 140 {
                display.cut = embedded.prefix(atMost: 139 - prefix)
                display.ellipsis = true
            }
            writeStatus(header, text: embedded, display: display, retweeted: original, nested: embedded, topLevel: true)
        } else if roll < 430 {
            let quoted = makeHeader(timeMs: timeMs - olderBy(), user: users.sample(&random), escapes: header.unicodeEscapes)
            composer.compose(into: &embedded, textRequest(quoted, nil, allowExtended: false), random: &random)
            var request = textRequest(header, trendingTag, allowExtended: false)
            request.trailingLink = .quote(statusID: quoted.id, user: quoted.user)
            composer.compose(into: &primary, request, random: &random)
            writeStatus(header, text: primary, display: ownDisplay(primary, id: header.id),
                        quoted: quoted, nested: embedded, topLevel: true)
        } else {
            composer.compose(into: &primary, textRequest(header, trendingTag, allowExtended: true), random: &random)
            writeStatus(header, text: primary, display: ownDisplay(primary, id: header.id),
                        nested: embedded, topLevel: true)
        }
    }

    private mutating func makeHeader(timeMs: Int64, user: Int, escapes: Bool? = nil) -> StatusHeader {
        StatusHeader(
            id: snowflake(atMs: timeMs), timeMs: timeMs, user: user,
            language: TweetLanguages.pick(&random), source: TweetSources.pick(&random),
            unicodeEscapes: escapes ?? random.chance(0.5))
    }

    /// Age of a retweeted or quoted tweet: mostly minutes, sometimes days.
    private mutating func olderBy() -> Int64 {
        Int64(random.chance(0.6) ? random.int(in: 1_000...3_600_000) : random.int(in: 3_600_000...259_200_000))
    }

    /// Twitter snowflake ids, so ids roughly follow `timestamp_ms`.
    private mutating func snowflake(atMs timeMs: Int64) -> Int64 {
        sequence += 1
        return ((timeMs - Self.twitterEpochMs) << 22) | (Int64(random.below(1024)) << 12) | (sequence & 0xFFF)
    }

    private mutating func textRequest(_ header: StatusHeader, _ trendingTag: Int?, allowExtended: Bool) -> TweetTextComposer.Request {
        let extended = allowExtended && random.chance(0.05)
        return TweetTextComposer.Request(
            language: header.language,
            maxCodePoints: extended ? 280 : 140,
            targetCodePoints: extended ? random.int(in: 150...275) : random.int(in: 8...133),
            mentionedUser: random.chance(0.12) ? users.sample(&random) : nil,
            trailingLink: random.chance(0.1) ? .external(Int64(bitPattern: random.next())) : .none,
            trendingTag: trendingTag)
    }

    /// A status's own text: whole, or cut with "… https://t.co/…" when over 140 code points.
    func ownDisplay(_ text: ComposedTweetText, id: Int64) -> DisplayText {
        if text.codePoints <= 140 { return DisplayText(cut: text.end) }
        let room = 140 - 2 - TweetShortLinks.tcoCodePoints
        return DisplayText(cut: text.prefix(atMost: room), ellipsis: true, statusLink: id)
    }

    // MARK: - Notices

    mutating func appendDeleteNotice(timeMs: Int64) {
        let deletedID = snowflake(atMs: timeMs - Int64(random.int(in: 1_000...86_400_000)))
        let userID = users.users[users.sample(&random)].id
        out.raw("{\"delete\":{\"status\":{\"id\":")
        out.int(deletedID)
        out.raw(",\"id_str\":")
        out.quotedInt(deletedID)
        out.raw(",\"user_id\":")
        out.int(userID)
        out.raw(",\"user_id_str\":")
        out.quotedInt(userID)
        out.raw("},\"timestamp_ms\":")
        out.quotedInt(timeMs)
        out.raw("}}")
    }

    mutating func appendLimitNotice(timeMs: Int64) {
        limitTrack += Int64(random.int(in: 1...400))
        out.raw("{\"limit\":{\"track\":")
        out.int(limitTrack)
        out.raw(",\"timestamp_ms\":")
        out.quotedInt(timeMs)
        out.raw("}}")
    }

    // MARK: - Malformed lines

    private static let badEscapes: [[UInt8]] = ["\\x", "\\u12G4", "\\'", "\\U0041"].map { Array($0.utf8) }
    private static let invalidUTF8: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80]]

    /// Appends a tweet damaged in one of three ways: cut off, a bad escape in
    /// its text, or invalid UTF-8 bytes in its text.
    mutating func appendMalformedLine(timeMs: Int64) {
        let start = out.bytes.count
        appendTweet(timeMs: timeMs, trendingTag: nil)
        let length = out.bytes.count - start
        let textKey = Array("\"text\":\"".utf8)
        var textStart = start
        while textStart + textKey.count <= out.bytes.count,
              !out.bytes[textStart..<(textStart + textKey.count)].elementsEqual(textKey) {
            textStart += 1
        }
        textStart += textKey.count
        switch random.below(3) {
        case 0:
            out.bytes.removeLast(length - 1 - random.below(length - 1))
        case 1:
            out.bytes.insert(contentsOf: random.element(of: Self.badEscapes), at: min(textStart, out.bytes.count))
        default:
            out.bytes.insert(contentsOf: random.element(of: Self.invalidUTF8), at: min(textStart, out.bytes.count))
        }
    }
}
