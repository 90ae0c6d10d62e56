import CTweetScan
import Flow

/// The fast path of tweet decoding: simdjson's stage 1 (libsimdjson-dev) checks UTF-8 and indexes
/// the structural characters, and the C++ of `CTweetScan` checks the rest — escapes, grammar,
/// numbers, literals — while it reads the trending job's fields by the decoder's rules, without
/// building simdjson's tape. Lines it does not decide (invalid JSON, and unusual cases such as a
/// float `timestamp_ms`) go to the Swift decoder, which reports the exact reason. One per thread.
final class SimdjsonTweetScanner {
    private let handle: OpaquePointer

    init() { handle = flow_tweet_scanner_create() }

    deinit { flow_tweet_scanner_destroy(handle) }

    /// What the line is, or nil when the Swift decoder must decide. `readable` is how many bytes
    /// from the line's start may be read (the scan reads up to 64 past the end; fewer are copied).
    func decode(_ line: UnsafeBufferPointer<UInt8>, readable: Int) -> TweetDecoder.Result? {
        guard let start = line.baseAddress else { return nil }
        let fields = flow_tweet_scan(handle, start, line.count, readable)
        switch fields.kind {
        case FLOW_SCAN_NOT_TWEET:
            return .notTweet
        case FLOW_SCAN_V1_INTEGER_TIME:
            return TweetDecoder.tweet(at: fields.timestamp, hashtags: Self.hashtags(fields))
        case FLOW_SCAN_V1_TEXT_TIME:
            guard let milliseconds = JSONScanner.parseInteger(Self.bytes(fields.time_text)) else { return .malformed(reason: TweetDecoder.invalidTimestamp) }
            return TweetDecoder.tweet(at: milliseconds, hashtags: Self.hashtags(fields))
        case FLOW_SCAN_V2:
            guard let milliseconds = ISO8601Timestamp.milliseconds(Self.bytes(fields.time_text)) else { return .malformed(reason: TweetDecoder.invalidCreatedAt) }
            return TweetDecoder.tweet(at: milliseconds, hashtags: Self.hashtags(fields))
        default:
            return nil
        }
    }

    private static func bytes(_ text: flow_scan_text) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.bytes, count: text.length)
    }

    /// The hashtags, lowercased: ASCII ones already are, hashed too; the others get the full
    /// mapping and are hashed here.
    private static func hashtags(_ fields: flow_scan_fields) -> [KeyString] {
        (0..<fields.hashtag_count).map { index in
            let hashtag = fields.hashtags[index]
            let text = String(decoding: UnsafeRawBufferPointer(start: hashtag.bytes, count: hashtag.length), as: UTF8.self)
            return hashtag.is_ascii ? KeyString(text, stableHash: hashtag.stable_hash) : KeyString(HashtagCase.lowercase(text))
        }
    }
}
