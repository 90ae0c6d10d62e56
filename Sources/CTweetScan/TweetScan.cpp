// The fast path of tweet decoding: simdjson's stage 1 (libsimdjson-dev, SIMD) checks UTF-8 and
// indexes the structural characters of the line; `StructuralWalk` checks the rest of the grammar
// over that index and this file picks out the trending job's fields on the way, with the
// decoder's rules: the last of duplicate members wins; wrong types give no hashtags. No tape is
// built: only the hashtags are copied out, their ASCII letters lowercased and hashed (Flow's
// stable hash) in the same pass. Whatever is not plainly a tweet or plainly not one is left to
// the Swift decoder.
#include "TweetScan.h"
#include "EscapeCheck.h"
#include "FlowStableHash.h"
#include "StructuralWalk.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <vector>

using flow_scan::StringSpan;
using flow_scan::StructuralWalk;

struct flow_tweet_scanner {
    /// Used for its stage 1 and its string unescaping only, reached through `implementation`,
    /// which simdjson leaves public for benchmarks. Sized for the longest line so far.
    simdjson::dom::parser parser;
    size_t capacity = 0;
    /// The hashtags of top-level `entities`, of `extended_tweet.entities` and of `data.entities`.
    std::vector<flow_scan_hashtag> entities, extendedEntities, dataEntities;
    /// The hashtags' bytes, lowercased, as long as the line: a string's unescaped text is never
    /// longer than its JSON, so it never grows while the lists point into it.
    std::vector<char> hashtagBytes;
    size_t hashtagBytesUsed = 0;
    /// Where escaped hashtags are unescaped first (simdjson writes up to its padding past the end).
    std::vector<uint8_t> unescaped;
    /// One bit per byte of the line, set for a backslash (`flow_check_escapes`).
    std::vector<uint64_t> backslashMasks;
    std::vector<uint8_t> padded;
};

namespace {

/// Whether `key` is `name`: a comparison of constant length, which the compiler inlines.
template <size_t N>
bool is(const StringSpan &key, const char (&name)[N]) {
    return key.length == N - 1 && memcmp(key.bytes, name, N - 1) == 0;
}

/// Reads one line's fields while the walk checks it.
class FieldReader {
public:
    FieldReader(StructuralWalk &walk, flow_tweet_scanner &scanner) : walk(walk), scanner(scanner) {}

    flow_scan_fields read();

private:
    /// Walks the members of an object (the next structural is its `{`), handing each key (never
    /// escaped) to `member`, which consumes the value. False if anything is invalid or unusual.
    template <typename Member>
    bool members(Member member);

    /// Walks `entities` into `hashtags`, whose element member `field` is the text.
    template <size_t N>
    bool entities(std::vector<flow_scan_hashtag> &hashtags, const char (&field)[N]);
    bool append(const StringSpan &text, std::vector<flow_scan_hashtag> &hashtags);

    StructuralWalk &walk;
    flow_tweet_scanner &scanner;
};

template <typename Member>
bool FieldReader::members(Member member) {
    if (walk.take() != '{') return false;
    if (walk.peek() == '}') {
        walk.take();
        return true;
    }
    while (true) {
        StringSpan key;
        if (!walk.string(key) || key.escaped || walk.take() != ':') return false;
        if (!member(key)) return false;
        uint8_t separator = walk.take();
        if (separator == '}') return true;
        if (separator != ',') return false;
    }
}

template <size_t N>
bool FieldReader::entities(std::vector<flow_scan_hashtag> &hashtags, const char (&field)[N]) {
    hashtags.clear();
    if (walk.peek() != '{') return walk.skipValue();
    return members([&](const StringSpan &key) {
        if (!is(key, "hashtags")) return walk.skipValue();
        hashtags.clear();
        if (walk.peek() != '[') return walk.skipValue();
        walk.take();
        if (walk.peek() == ']') {
            walk.take();
            return true;
        }
        while (true) {
            if (walk.peek() == '{') {
                StringSpan text;
                bool hasText = false;
                bool valid = members([&](const StringSpan &itemKey) {
                    if (!is(itemKey, field)) return walk.skipValue();
                    hasText = walk.peek() == '"';
                    return hasText ? walk.string(text) : walk.skipValue();
                });
                if (!valid || (hasText && !append(text, hashtags))) return false;
            } else if (!walk.skipValue()) {
                return false;
            }
            uint8_t separator = walk.take();
            if (separator == ']') return true;
            if (separator != ',') return false;
        }
    });
}

/// Copies `text` (unescaped) into the scanner's hashtag bytes with its ASCII capitals lowercased
/// and lists it, with the stable hash of the lowercased bytes (final only when all are ASCII).
bool FieldReader::append(const StringSpan &text, std::vector<flow_scan_hashtag> &hashtags) {
    const uint8_t *source = text.bytes;
    size_t length = text.length;
    if (text.escaped) {
        uint8_t *end = scanner.parser.implementation->parse_string(text.bytes, scanner.unescaped.data());
        if (end == nullptr) return false;
        source = scanner.unescaped.data();
        length = end - source;
    }
    char *copy = scanner.hashtagBytes.data() + scanner.hashtagBytesUsed;
    unsigned char any = 0;
    uint64_t hash = flow_stable_hash_start();
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = source[index];
        any |= byte;
        unsigned char lower = static_cast<unsigned char>(byte - 'A') < 26 ? byte | 0x20 : byte;
        copy[index] = static_cast<char>(lower);
        hash = flow_stable_hash_add(hash, lower);
    }
    scanner.hashtagBytesUsed += length;
    hashtags.push_back({copy, length, any < 0x80, flow_stable_hash_finish(hash)});
    return true;
}

/// How a member that must be a string (or an integer, for `integer`) turned out.
enum class Text { missing, integer, usable, unusable };

flow_scan_fields FieldReader::read() {
    flow_scan_fields undecided = {FLOW_SCAN_UNDECIDED, 0, {nullptr, 0}, nullptr, 0};
    if (walk.peek() != '{') return undecided;  // valid or not, the Swift decoder says what it is
    Text timestamp = Text::missing, createdAt = Text::missing;
    int64_t timestampInteger = 0;
    StringSpan timestampText, createdAtText;
    bool truncated = false, hasData = false, dataIsObject = false;
    bool valid = members([&](const StringSpan &key) {
        if (is(key, "timestamp_ms")) {
            timestamp = Text::unusable;
            if (walk.peek() == '"') {
                if (!walk.string(timestampText)) return false;
                if (!timestampText.escaped) {
                    timestampInteger = flow_scan::smallInteger(timestampText.bytes, timestampText.length);
                    timestamp = timestampInteger >= 0 ? Text::integer : Text::usable;
                }
                return true;
            }
            uint8_t first = walk.peek();
            if (first != '-' && static_cast<uint8_t>(first - '0') >= 10) return walk.skipValue();
            bool isSmallInteger = false;
            if (!walk.number(timestampInteger, isSmallInteger)) return false;
            if (isSmallInteger) timestamp = Text::integer;
            return true;
        }
        if (is(key, "truncated")) {
            truncated = walk.peek() == 't';
            return walk.skipValue();
        }
        if (is(key, "entities")) return entities(scanner.entities, "text");
        if (is(key, "extended_tweet")) {
            scanner.extendedEntities.clear();
            if (walk.peek() != '{') return walk.skipValue();
            return members([&](const StringSpan &member) {
                return is(member, "entities") ? entities(scanner.extendedEntities, "text") : walk.skipValue();
            });
        }
        if (is(key, "data")) {
            hasData = true;
            dataIsObject = walk.peek() == '{';
            createdAt = Text::missing;
            scanner.dataEntities.clear();
            if (!dataIsObject) return walk.skipValue();
            return members([&](const StringSpan &member) {
                if (is(member, "created_at")) {
                    createdAt = Text::unusable;
                    if (walk.peek() != '"') return walk.skipValue();
                    if (!walk.string(createdAtText)) return false;
                    if (!createdAtText.escaped) createdAt = Text::usable;
                    return true;
                }
                return is(member, "entities") ? entities(scanner.dataEntities, "tag") : walk.skipValue();
            });
        }
        return walk.skipValue();
    });
    if (!valid || !walk.finished()) return undecided;
    flow_scan_fields result = undecided;
    const std::vector<flow_scan_hashtag> *hashtags = nullptr;
    if (timestamp != Text::missing) {
        if (timestamp == Text::unusable) return undecided;
        if (timestamp == Text::integer) {
            result.kind = FLOW_SCAN_V1_INTEGER_TIME;
            result.timestamp = timestampInteger;
        } else {
            result.kind = FLOW_SCAN_V1_TEXT_TIME;
            result.time_text = {reinterpret_cast<const char *>(timestampText.bytes), timestampText.length};
        }
        hashtags = truncated ? &scanner.extendedEntities : &scanner.entities;
    } else if (hasData) {
        if (!dataIsObject || createdAt != Text::usable) return undecided;
        result.kind = FLOW_SCAN_V2;
        result.time_text = {reinterpret_cast<const char *>(createdAtText.bytes), createdAtText.length};
        hashtags = &scanner.dataEntities;
    } else {
        result.kind = FLOW_SCAN_NOT_TWEET;
        return result;
    }
    result.hashtags = hashtags->data();
    result.hashtag_count = hashtags->size();
    return result;
}

}  // namespace

extern "C" flow_tweet_scanner *flow_tweet_scanner_create(void) { return new flow_tweet_scanner(); }

extern "C" void flow_tweet_scanner_destroy(flow_tweet_scanner *scanner) { delete scanner; }

extern "C" flow_scan_fields flow_tweet_scan(flow_tweet_scanner *scanner, const uint8_t *line, size_t length, size_t readable) {
    flow_scan_fields undecided = {FLOW_SCAN_UNDECIDED, 0, {nullptr, 0}, nullptr, 0};
    if (length == 0 || length > UINT32_MAX / 2) return undecided;
    if (length > scanner->capacity) {
        size_t capacity = std::max(length, 2 * scanner->capacity);
        if (scanner->parser.allocate(capacity)) return undecided;
        scanner->capacity = capacity;
        scanner->hashtagBytes.resize(capacity);
        scanner->unescaped.resize(capacity + simdjson::SIMDJSON_PADDING);
        scanner->backslashMasks.resize(capacity / 64 + 1);
    }
    if (readable < length + simdjson::SIMDJSON_PADDING) {
        scanner->padded.assign(line, line + length);
        scanner->padded.resize(length + simdjson::SIMDJSON_PADDING);
        line = scanner->padded.data();
    }
    auto &stage1 = *scanner->parser.implementation;
    if (stage1.stage1(line, length, simdjson::stage1_mode::regular)) return undecided;
    if (!flow_check_escapes(line, length, scanner->backslashMasks.data())) return undecided;
    scanner->entities.clear();
    scanner->extendedEntities.clear();
    scanner->dataEntities.clear();
    scanner->hashtagBytesUsed = 0;
    StructuralWalk walk(line, stage1.structural_indexes.get(), stage1.n_structural_indexes, scanner->backslashMasks.data());
    return FieldReader(walk, *scanner).read();
}
