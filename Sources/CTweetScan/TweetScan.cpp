// The fast path of tweet decoding: simdjson (libsimdjson-dev) validates the whole line (grammar,
// UTF-8, escapes, numbers) into its reused tape, and the fields of the trending job are read from
// it with the decoder's rules: the last of duplicate members wins; wrong types give no hashtags.
// Hashtags are copied out with their ASCII letters lowercased and hashed (Flow's stable hash) in
// the same pass. Whatever is not plainly a tweet or plainly not one is left to the Swift decoder.
#include "TweetScan.h"

#include <simdjson.h>

#include <cstring>
#include <string_view>
#include <vector>

using simdjson::dom::element;

struct flow_tweet_scanner {
    simdjson::dom::parser parser;
    std::vector<flow_scan_hashtag> hashtags;
    /// The hashtags' bytes, lowercased, as long as the line: a string's unescaped text is never
    /// longer than its JSON, so it never grows while `hashtags` points into it.
    std::vector<char> hashtagBytes;
    size_t hashtagBytesUsed = 0;
    std::vector<uint8_t> padded;
};

namespace {

/// Whether `key` is `name`: a comparison of constant length, which the compiler inlines.
template <size_t N>
bool is(std::string_view key, const char (&name)[N]) {
    return key.size() == N - 1 && memcmp(key.data(), name, N - 1) == 0;
}

/// The last member `key` of `value` if it is an object that has one.
template <size_t N>
bool lastMember(element value, const char (&key)[N], element &found) {
    simdjson::dom::object object;
    if (value.get_object().get(object)) return false;
    bool seen = false;
    for (auto field : object) {
        if (is(field.key, key)) {
            found = field.value;
            seen = true;
        }
    }
    return seen;
}

/// Flow's `StableHash` finaliser (MurmurHash3's), applied after FNV-1a.
uint64_t finalizeHash(uint64_t hash) {
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 33;
    return hash;
}

/// Copies `text` into the scanner's hashtag bytes with its ASCII capitals lowercased and lists it,
/// with the stable hash of the lowercased bytes (final only when they are all ASCII).
void appendLowercased(std::string_view text, flow_tweet_scanner &scanner) {
    char *copy = scanner.hashtagBytes.data() + scanner.hashtagBytesUsed;
    unsigned char any = 0;
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t index = 0; index < text.size(); index++) {
        unsigned char byte = static_cast<unsigned char>(text[index]);
        any |= byte;
        unsigned char lower = static_cast<unsigned char>(byte - 'A') < 26 ? byte | 0x20 : byte;
        copy[index] = static_cast<char>(lower);
        hash = (hash ^ lower) * 0x100000001b3ULL;
    }
    scanner.hashtagBytesUsed += text.size();
    scanner.hashtags.push_back({copy, text.size(), any < 0x80, finalizeHash(hash)});
}

/// Appends the string `field` of each element of `entities.hashtags`.
template <size_t N>
void readHashtags(element entities, const char (&field)[N], flow_tweet_scanner &scanner) {
    element hashtags;
    if (!lastMember(entities, "hashtags", hashtags)) return;
    simdjson::dom::array array;
    if (hashtags.get_array().get(array)) return;
    for (element item : array) {
        element tag;
        std::string_view text;
        if (lastMember(item, field, tag) && !tag.get_string().get(text)) appendLowercased(text, scanner);
    }
}

/// The value of a string of 1 to 18 ASCII digits (which cannot overflow), or -1 for any other.
int64_t plainDigits(std::string_view text) {
    if (text.empty() || text.size() > 18) return -1;
    int64_t value = 0;
    for (char character : text) {
        unsigned digit = static_cast<unsigned char>(character) - '0';
        if (digit > 9) return -1;
        value = value * 10 + digit;
    }
    return value;
}

/// Reads the fields of a parsed line.
flow_scan_fields fields(element root, flow_tweet_scanner &scanner) {
    flow_scan_fields result = {FLOW_SCAN_UNDECIDED, 0, {nullptr, 0}, nullptr, 0};
    simdjson::dom::object object;
    if (root.get_object().get(object)) {
        result.kind = FLOW_SCAN_NOT_TWEET;
        return result;
    }
    element timestamp, truncated, entities, extended, data;
    bool hasTimestamp = false, hasTruncated = false, hasEntities = false, hasExtended = false, hasData = false;
    for (auto field : object) {
        std::string_view key = field.key;
        if (is(key, "timestamp_ms")) { timestamp = field.value; hasTimestamp = true; }
        else if (is(key, "truncated")) { truncated = field.value; hasTruncated = true; }
        else if (is(key, "entities")) { entities = field.value; hasEntities = true; }
        else if (is(key, "extended_tweet")) { extended = field.value; hasExtended = true; }
        else if (is(key, "data")) { data = field.value; hasData = true; }
    }
    if (hasTimestamp) {
        std::string_view text;
        int64_t milliseconds = 0;
        if (!timestamp.get_string().get(text)) {
            int64_t digits = plainDigits(text);
            if (digits >= 0) {
                result.kind = FLOW_SCAN_V1_INTEGER_TIME;
                result.timestamp = digits;
            } else {
                result.kind = FLOW_SCAN_V1_TEXT_TIME;
                result.time_text = {text.data(), text.size()};
            }
        } else if (timestamp.is_int64() && !timestamp.get_int64().get(milliseconds)) {
            result.kind = FLOW_SCAN_V1_INTEGER_TIME;
            result.timestamp = milliseconds;
        } else {
            return result;  // a float, a huge integer, or another type: the Swift decoder says which
        }
        bool isTruncated = false;
        if (hasTruncated && truncated.get_bool().get(isTruncated)) isTruncated = false;
        if (isTruncated) {
            element extendedEntities;
            if (hasExtended && lastMember(extended, "entities", extendedEntities)) readHashtags(extendedEntities, "text", scanner);
        } else if (hasEntities) {
            readHashtags(entities, "text", scanner);
        }
    } else if (hasData) {
        element createdAt, dataEntities;
        std::string_view text;
        if (!lastMember(data, "created_at", createdAt) || createdAt.get_string().get(text)) return result;
        result.kind = FLOW_SCAN_V2;
        result.time_text = {text.data(), text.size()};
        if (lastMember(data, "entities", dataEntities)) readHashtags(dataEntities, "tag", scanner);
    } else {
        result.kind = FLOW_SCAN_NOT_TWEET;
    }
    return result;
}

}  // namespace

extern "C" flow_tweet_scanner *flow_tweet_scanner_create(void) { return new flow_tweet_scanner(); }

extern "C" void flow_tweet_scanner_destroy(flow_tweet_scanner *scanner) { delete scanner; }

extern "C" flow_scan_fields flow_tweet_scan(flow_tweet_scanner *scanner, const uint8_t *line, size_t length, size_t readable) {
    if (readable < length + simdjson::SIMDJSON_PADDING) {
        scanner->padded.assign(line, line + length);
        scanner->padded.resize(length + simdjson::SIMDJSON_PADDING);
        line = scanner->padded.data();
    }
    scanner->hashtags.clear();
    if (scanner->hashtagBytes.size() < length) scanner->hashtagBytes.resize(length);
    scanner->hashtagBytesUsed = 0;
    element root;
    if (scanner->parser.parse(line, length, false).get(root)) return {FLOW_SCAN_UNDECIDED, 0, {nullptr, 0}, nullptr, 0};
    flow_scan_fields result = fields(root, *scanner);
    if (result.kind == FLOW_SCAN_UNDECIDED) return result;
    result.hashtags = scanner->hashtags.data();
    result.hashtag_count = scanner->hashtags.size();
    return result;
}
