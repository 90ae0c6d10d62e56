import Flow

/// Decodes one line of a tweet log without building a JSON tree: it validates the line and picks
/// out the event time and the hashtags (lowercased), following the rules of the trending job exactly.
///
/// - v1.1: a top-level `timestamp_ms` (an integer, or a string of one) makes the line a tweet;
///   hashtags come from `extended_tweet.entities.hashtags[].text` when `truncated` is `true`,
///   else from `entities.hashtags[].text`.
/// - v2: a top-level `data` object makes it a tweet; `data.created_at` (ISO 8601) is the event
///   time and `data.entities.hashtags[].tag` the hashtags.
/// - Anything else that is valid JSON is not a tweet; invalid JSON or UTF-8 is malformed.
/// Later duplicates of a member win, as in most JSON parsers.
public enum TweetDecoder {
    /// What one line turned out to be.
    public enum Result: Sendable {
        case tweet(Tweet)
        /// Valid JSON that is not a tweet: a `delete` or `limit` notice, an error message.
        case notTweet
        /// Empty or only spaces, tabs and carriage returns.
        case blank
        /// Not valid JSON, or a tweet whose time is unusable; the reason is one phrase.
        case malformed(reason: String)
    }

    static let invalidTimestamp = "timestamp_ms is not an integer"
    static let invalidCreatedAt = "data.created_at is missing or not an ISO 8601 time"
    static let unsupportedTime = "the event time is outside the years 1 to 9999"

    /// A tweet at `milliseconds`, or malformed when that time is outside the supported range.
    static func tweet(at milliseconds: Int64, hashtags: [KeyString]) -> Result {
        guard let time = EventTime.supported(milliseconds: milliseconds) else { return .malformed(reason: unsupportedTime) }
        return .tweet(Tweet(eventTime: time, hashtags: hashtags))
    }

    /// Decodes a line with simdjson where it can decide, else with the Swift scanner below.
    /// `readable` is how many bytes from the line's start may be read.
    static func decode(_ line: UnsafeBufferPointer<UInt8>, readable: Int, fastPath: SimdjsonTweetScanner) -> Result {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        return fastPath.decode(line, readable: readable) ?? decode(line)
    }

    /// Decodes a line with the Swift scanner alone: it validates as it goes and reports where a
    /// malformed line goes wrong.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) -> Result {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        guard UTF8Validation.isValid(line) else { return .malformed(reason: "invalid UTF-8") }
        var scanner = JSONScanner(line)
        do throws(JSONScanner.Malformed) {
            guard scanner.peek() == UInt8(ascii: "{") else {
                try scanner.skipValue()
                try expectEnd(&scanner)
                return .notTweet
            }
            var fields = TopLevelFields()
            try scanner.forEachMember { scanner, key throws(JSONScanner.Malformed) in
                try fields.read(key, from: &scanner)
            }
            try expectEnd(&scanner)
            return fields.result()
        } catch {
            return .malformed(reason: "\(error.reason) at byte \(error.offset + 1)")
        }
    }

    private static func expectEnd(_ scanner: inout JSONScanner) throws(JSONScanner.Malformed) {
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.fail("extra text after the JSON value") }
    }
}

/// The top-level members the decoder cares about, as they were read.
private struct TopLevelFields {
    enum Timestamp { case absent, valid(Int64), invalid }

    var timestamp = Timestamp.absent
    var isTruncated = false
    var entitiesHashtags: [String] = []
    var extendedHashtags: [String] = []
    var data: V2Data?

    struct V2Data {
        var createdAt: Int64?
        var hashtags: [String] = []
    }

    mutating func read(_ key: JSONKey, from scanner: inout JSONScanner) throws(JSONScanner.Malformed) {
        let bytes = scanner.bytes
        if key.equals("timestamp_ms", in: bytes) {
            timestamp = try Self.readTimestamp(&scanner)
        } else if key.equals("truncated", in: bytes) {
            isTruncated = try scanner.scanIsTrue()
        } else if key.equals("entities", in: bytes) {
            entitiesHashtags = try HashtagReader.entities(&scanner, field: "text")
        } else if key.equals("extended_tweet", in: bytes) {
            extendedHashtags = try HashtagReader.member("entities", of: &scanner) { scanner throws(JSONScanner.Malformed) in
                try HashtagReader.entities(&scanner, field: "text")
            } ?? []
        } else if key.equals("data", in: bytes) {
            data = try Self.readData(&scanner)
        } else {
            try scanner.skipValue()
        }
    }

    static func readTimestamp(_ scanner: inout JSONScanner) throws(JSONScanner.Malformed) -> Timestamp {
        switch scanner.peek() ?? 0 {
        case UInt8(ascii: "\""):
            let text = try scanner.scanString()
            let value = text.raw.map { JSONScanner.parseInteger(scanner.bytes[$0]) } ?? JSONScanner.parseInteger(text.decoded)
            return value.map(Timestamp.valid) ?? .invalid
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try scanner.scanNumber().map(Timestamp.valid) ?? .invalid
        default:
            try scanner.skipValue()
            return .invalid
        }
    }

    static func readData(_ scanner: inout JSONScanner) throws(JSONScanner.Malformed) -> V2Data? {
        guard scanner.peek() == UInt8(ascii: "{") else { try scanner.skipValue(); return nil }
        var data = V2Data()
        try scanner.forEachMember { scanner, key throws(JSONScanner.Malformed) in
            if key.equals("created_at", in: scanner.bytes) {
                if scanner.peek() == UInt8(ascii: "\"") {
                    let text = try scanner.scanString()
                    data.createdAt = text.raw.map { ISO8601Timestamp.milliseconds(scanner.bytes[$0]) } ?? ISO8601Timestamp.milliseconds(text.decoded)
                } else {
                    try scanner.skipValue()
                    data.createdAt = nil
                }
            } else if key.equals("entities", in: scanner.bytes) {
                data.hashtags = try HashtagReader.entities(&scanner, field: "tag")
            } else {
                try scanner.skipValue()
            }
        }
        return data
    }

    func result() -> TweetDecoder.Result {
        switch timestamp {
        case .valid(let milliseconds):
            return TweetDecoder.tweet(at: milliseconds, hashtags: (isTruncated ? extendedHashtags : entitiesHashtags).map { KeyString(HashtagCase.lowercase($0)) })
        case .invalid:
            return .malformed(reason: TweetDecoder.invalidTimestamp)
        case .absent:
            guard let data else { return .notTweet }
            guard let createdAt = data.createdAt else { return .malformed(reason: TweetDecoder.invalidCreatedAt) }
            return TweetDecoder.tweet(at: createdAt, hashtags: data.hashtags.map { KeyString(HashtagCase.lowercase($0)) })
        }
    }
}
