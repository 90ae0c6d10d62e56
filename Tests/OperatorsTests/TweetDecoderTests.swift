import Flow
import FlowTesting
import Foundation
import Testing
@testable import TweetLog

struct TweetDecoderTests {
    /// Decodes with the Swift scanner and with the simdjson fast path, expecting the same result.
    private func decode(_ line: String) -> TweetDecoder.Result {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { line in
            let swift = TweetDecoder.decode(line)
            let fast = TweetDecoder.decode(line, readable: line.count, fastPath: SimdjsonTweetScanner())
            #expect("\(fast)" == "\(swift)", "the fast path differs on \(String(decoding: line, as: UTF8.self))")
            return swift
        }
    }

    /// Every line of the bundled logs decodes the same on both paths, and the fast path decides
    /// nearly all of them (the rest: invalid JSON and unusual cases, left to the Swift scanner).
    @Test(arguments: ["edge_cases.jsonl", "twitter_v1_insight_challenge_2015_sample.jsonl", "twitter_v2_filtered_stream_sample.jsonl",
                      "twitter_v2_search_sample.jsonl"])
    func bothPathsAgreeOnEveryLineOfTheBundledLogs(file: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Fixtures/tweets/" + file))
        let fastPath = SimdjsonTweetScanner()
        var lines = 0, decidedFast = 0, disagreements: [Int] = []
        data.withUnsafeBytes { raw in
            let all = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < all.count {
                var end = all[start...].firstIndex(of: UInt8(ascii: "\n")) ?? all.count
                let next = end + 1
                if end > start && all[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<end])
                lines += 1
                if fastPath.decode(line, readable: all.count - start) != nil { decidedFast += 1 }
                if "\(TweetDecoder.decode(line, readable: all.count - start, fastPath: fastPath))" != "\(TweetDecoder.decode(line))" { disagreements.append(lines) }
                start = next
            }
        }
        #expect(disagreements.isEmpty, "\(file): lines \(disagreements.prefix(10)) decode differently on the two paths")
        #expect(lines >= 5)
        if file != "edge_cases.jsonl" { #expect(decidedFast * 10 >= lines * 9, "\(file): the fast path decided only \(decidedFast) of \(lines) lines") }
    }

    /// Lines of the bundled logs with random bytes inserted, replaced, deleted or repeated — JSON
    /// punctuation, escapes valid and not, surrogates alone and paired, control bytes, invalid
    /// UTF-8, huge numbers — and whole tokens deleted, decode the same on both paths. The fast path checks what simdjson's
    /// stage 1 leaves unchecked itself, so this is where a gap in it would show.
    @Test func mutatedLinesDecodeTheSameOnBothPaths() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        var samples: [[UInt8]] = []
        for file in ["edge_cases.jsonl", "twitter_v1_insight_challenge_2015_sample.jsonl", "twitter_v2_search_sample.jsonl"] {
            let data = try Data(contentsOf: root.appendingPathComponent("Fixtures/tweets/" + file))
            samples += data.split(separator: UInt8(ascii: "\n")).map { Array($0) }.filter { !$0.isEmpty }
        }
        let fragments: [[UInt8]] = [
            "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\t", "0", "7", "-", "+", ".", "e", "E", "t", "u", "true", "false", "null",
            #"\u00e9"#, #"\u00E9"#, #"\ud83d"#, #"\ude00"#, #"\ud83d\ude00"#, #"\ud83d\u0041"#, #"\\"#, #"\""#, #"\/"#, #"\x"#, #"\u12"#,
            "\u{01}", "\u{1f}", "é", "😀", "12345678901234567890", "1e400", "-0.5E-3", "#", #""timestamp_ms":"1","#,
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xE2, 0x82]]
        var random = SplitMix64(seed: 20_261_129)
        let fastPath = SimdjsonTweetScanner()
        var decidedFast = 0, disagreements: [String] = []
        let trials = 20_000
        for _ in 0..<trials {
            var line = samples[Int(random.next() % UInt64(samples.count))]
            for _ in 0...(random.next() % 3) {
                var at = Int(random.next() % UInt64(line.count + 1))
                // Half the time at punctuation, where the grammar is decided.
                let marks = Array(line[at...].indices.lazy.filter { "{}[]:,\"".utf8.contains(line[$0]) }.prefix(7))
                if random.next() % 2 == 0, let mark = marks.first { at = mark + Int(random.next() % 2) }
                let fragment = fragments[Int(random.next() % UInt64(fragments.count))]
                switch random.next() % 5 {
                case 0: line.insert(contentsOf: fragment, at: at)
                case 1: line.replaceSubrange(at..<min(at + 1, line.count), with: fragment)
                case 2: line.removeSubrange(at..<min(at + 1 + Int(random.next() % 8), line.count))
                case 3: line.insert(contentsOf: line[at..<min(at + Int(random.next() % 16), line.count)], at: at)
                default:  // whole tokens: from one punctuation mark up to a later one
                    guard marks.count > 1 else { continue }
                    line.removeSubrange(marks[0]..<marks[1 + Int(random.next() % UInt64(marks.count - 1))])
                }
            }
            line.withUnsafeBufferPointer { bytes in
                if fastPath.decode(bytes, readable: bytes.count) != nil { decidedFast += 1 }
                let fast = TweetDecoder.decode(bytes, readable: bytes.count, fastPath: fastPath)
                let swift = TweetDecoder.decode(bytes)
                if "\(fast)" != "\(swift)" {
                    disagreements.append("fast \(fast), Swift \(swift) on the \(bytes.count)-byte line \(String(decoding: bytes.prefix(100), as: UTF8.self))…")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) mutated lines decode differently, such as \(disagreements.prefix(3))")
        #expect(decidedFast * 10 >= trials, "the fast path decided only \(decidedFast) of \(trials) mutated lines")
    }

    private func tweet(_ line: String) -> Tweet? {
        if case .tweet(let tweet) = decode(line) { return tweet }
        return nil
    }

    private func isMalformed(_ line: String) -> Bool {
        if case .malformed = decode(line) { return true }
        return false
    }

    @Test func v1TweetGivesTimeAndHashtags() throws {
        let line = #"{"text":"a {\"b\"} #X","entities":{"hashtags":[{"text":"Swift","indices":[1,2]},{"text":"Rust"}]},"timestamp_ms":"1609486140665"}"#
        let decoded = try #require(tweet(line))
        #expect(decoded.eventTime.milliseconds == 1_609_486_140_665)
        #expect(decoded.hashtags.map(\.string) == ["swift", "rust"])
    }

    @Test func truncatedTweetTakesExtendedHashtagsOnly() throws {
        let line = #"{"truncated":true,"entities":{"hashtags":[{"text":"Short"}]},"extended_tweet":{"entities":{"hashtags":[{"text":"Long"},{"text":"Tags"}]}},"timestamp_ms":"5"}"#
        #expect(try #require(tweet(line)).hashtags.map(\.string) == ["long", "tags"])
        let notTruncated = line.replacingOccurrences(of: "\"truncated\":true", with: "\"truncated\":false")
        #expect(try #require(tweet(notTruncated)).hashtags.map(\.string) == ["short"])
    }

    @Test func retweetedStatusIsIgnored() throws {
        let line = #"{"retweeted_status":{"entities":{"hashtags":[{"text":"Inner"}]},"timestamp_ms":"1"},"entities":{"hashtags":[]},"timestamp_ms":"2"}"#
        let decoded = try #require(tweet(line))
        #expect(decoded.hashtags.isEmpty)
        #expect(decoded.eventTime.milliseconds == 2)
    }

    @Test func escapesAndSurrogatePairsAreDecoded() throws {
        let line = #"{"entities":{"hashtags":[{"text":"\u00e9t\u00e9"},{"text":"\ud83d\ude00ok"},{"text":"a\"b"}]},"timestamp_ms":7}"#
        #expect(try #require(tweet(line)).hashtags.map(\.string) == ["été", "😀ok", "a\"b"])
    }

    @Test func hashtagsAreLowercasedOnBothPaths() throws {
        let line = #"{"entities":{"hashtags":[{"text":"MiXeD"},{"text":"ΟΔΟΣ"},{"text":"İstanbul"},{"text":"\u0041B"}]},"timestamp_ms":"3"}"#
        #expect(try #require(tweet(line)).hashtags.map(\.string) == ["mixed", "οδος", "i\u{307}stanbul", "ab"])
    }

    /// The fast path hashes ASCII hashtags in C++ as it copies them: the hash must be Flow's
    /// stable hash of the bytes, since equality and partitioning trust it.
    @Test func hashesFromTheFastPathAreTheStableHashes() throws {
        let line = #"{"entities":{"hashtags":[{"text":"MiXeD"},{"text":"x"},{"text":"a_hashtag_longer_than_15_bytes"},{"text":"Été"}]},"timestamp_ms":"3"}"#
        let fast = Array(line.utf8).withUnsafeBufferPointer { SimdjsonTweetScanner().decode($0, readable: $0.count) }
        guard case .tweet(let tweet) = try #require(fast) else { Issue.record("expected a tweet"); return }
        #expect(tweet.hashtags.count == 4)
        for tag in tweet.hashtags { #expect(tag.stableHash == KeyString(tag.string).stableHash, "\(tag)") }
    }

    @Test(arguments: [("\"0001\"", 1), ("\"253402300799999\"", 253_402_300_799_999), ("-62135596800000", -62_135_596_800_000), ("\"-5\"", -5)])
    func timestampStringsOfDigitsAreTimes(timestamp: String, milliseconds: Int64) throws {
        #expect(try #require(tweet(#"{"timestamp_ms":"# + timestamp + "}")).eventTime.milliseconds == milliseconds)
    }

    /// Times past the years 1 to 9999 would overflow window ends and pacing delays downstream.
    @Test(arguments: [
        #"{"timestamp_ms":"9223372036854775807"}"#, #"{"timestamp_ms":9223372036854775807}"#, #"{"timestamp_ms":-9223372036854775808}"#,
        #"{"timestamp_ms":"123456789012345678"}"#, #"{"timestamp_ms":253402300800000}"#, #"{"timestamp_ms":"-62135596800001"}"#,
        #"{"data":{"created_at":"0001-01-01T00:00:00+01:00"}}"#, #"{"data":{"created_at":"9999-12-31T23:59:59.999-00:01"}}"#,
    ])
    func eventTimesOutsideTheYearsOneToNineThousandNineHundredNinetyNineAreMalformed(line: String) {
        guard case .malformed(let reason) = decode(line) else { Issue.record("\(line) should be malformed"); return }
        #expect(reason == "the event time is outside the years 1 to 9999")
    }

    @Test func v2TweetUsesCreatedAt() throws {
        let line = #"{"data":{"created_at":"2021-04-01T15:52:31.123Z","entities":{"hashtags":[{"start":0,"end":4,"tag":"kpop"}]}}}"#
        let decoded = try #require(tweet(line))
        #expect(decoded.eventTime.milliseconds == 1_617_292_351_123)
        #expect(decoded.hashtags.map(\.string) == ["kpop"])
    }

    @Test func noticesAndNonObjectsAreNotTweets() {
        for line in [#"{"delete":{"status":{"id":1},"timestamp_ms":"5"}}"#, #"{"limit":{"track":3,"timestamp_ms":"5"}}"#, "[1,2]", #"{"data":[1]}"#] {
            guard case .notTweet = decode(line) else {
                Issue.record("\(line) should not be a tweet")
                continue
            }
        }
    }

    @Test(arguments: [
        #"{"timestamp_ms":"1""#, #"{"timestamp_ms":"1"} x"#, #"{"a":"\x","timestamp_ms":"1"}"#, "{\"a\":\"\u{01}\",\"timestamp_ms\":\"1\"}",
        #"{"a":NaN,"timestamp_ms":"1"}"#, #"{"a":"\ud83d","timestamp_ms":"1"}"#, #"{"timestamp_ms":"12.5"}"#, #"{"timestamp_ms":12.5}"#,
        #"{"timestamp_ms":null}"#, #"{"timestamp_ms":"9223372036854775808"}"#, #"{"a":01,"timestamp_ms":"1"}"#, #"{"a":[1,],"timestamp_ms":"1"}"#,
        #"{"data":{"created_at":"2021-02-30T00:00:00Z"}}"#, #"{"timestamp_ms":"1",}"#, #"{"a":{"b":1,},"timestamp_ms":"1"}"#,
        #"{"a":{"b" 1},"timestamp_ms":"1"}"#, #"{"a":{"b":1 "c":2},"timestamp_ms":"1"}"#, #"{"a":[1 2],"timestamp_ms":"1"}"#,
    ])
    func malformedLinesAreRejected(line: String) {
        #expect(isMalformed(line))
    }

    @Test func invalidUTF8IsMalformed() {
        var bytes = Array(#"{"timestamp_ms":"1","x":"ab"}"#.utf8)
        bytes.insert(0xFF, at: 27)
        let result = bytes.withUnsafeBufferPointer { TweetDecoder.decode($0) }
        guard case .malformed(let reason) = result else { Issue.record("expected malformed"); return }
        #expect(reason == "invalid UTF-8")
    }

    @Test func blankLinesAreBlank() {
        guard case .blank = decode(" \t\r") else { Issue.record("expected blank"); return }
    }

    @Test func timestampAsNumberAndDuplicateKeysLastWins() throws {
        #expect(try #require(tweet(#"{"timestamp_ms":1,"timestamp_ms":"42"}"#)).eventTime.milliseconds == 42)
    }
}

struct HashtagCaseTests {
    @Test(arguments: [
        ("Swift", "swift"), ("SWIFT", "swift"), ("İstanbul", "i\u{307}stanbul"), ("ΟΔΟΣ", "οδος"), ("ΣΟΦΙΑ", "σοφια"),
        ("ΣΑΣ", "σας"), ("Straße", "straße"), ("Café", "café"), ("日本", "日本"), ("Σ", "σ"),
    ])
    func lowercasesAsUnicodeDoes(input: String, expected: String) {
        #expect(HashtagCase.lowercase(input) == expected)
        #expect(HashtagCase.lowercase(input).utf8.elementsEqual(expected.utf8))
    }
}
