// The fast path of tweet decoding: simdjson (libsimdjson-dev) validates the whole line (grammar,
// UTF-8, escapes, numbers) into its reused tape, and the fields of the trending job are read from
// it with the decoder's rules: the last of duplicate members wins; wrong types give no hashtags.
// Whatever is not plainly a tweet or plainly not one is left to the Swift decoder.
#include "TweetScan.h"

#include <simdjson.h>

#include <string_view>
#include <vector>

using simdjson::dom::element;

struct flow_tweet_scanner {
    simdjson::dom::parser parser;
    std::vector<flow_scan_text> hashtags;
    std::vector<uint8_t> padded;
};

namespace {

/// The last member `key` of `value` if it is an object that has one.
bool lastMember(element value, std::string_view key, element &found) {
    simdjson::dom::object object;
    if (value.get_object().get(object)) return false;
    bool seen = false;
    for (auto field : object) {
        if (field.key == key) {
            found = field.value;
            seen = true;
        }
    }
    return seen;
}

/// Appends the string `field` of each element of `entities.hashtags`.
void readHashtags(element entities, std::string_view field, std::vector<flow_scan_text> &out) {
    element hashtags;
    if (!lastMember(entities, "hashtags", hashtags)) return;
    simdjson::dom::array array;
    if (hashtags.get_array().get(array)) return;
    for (element item : array) {
        element tag;
        std::string_view text;
        if (lastMember(item, field, tag) && !tag.get_string().get(text)) out.push_back({text.data(), text.size()});
    }
}

/// Reads the fields of a parsed line.
flow_scan_fields fields(element root, std::vector<flow_scan_text> &hashtags) {
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
        if (key == "timestamp_ms") { timestamp = field.value; hasTimestamp = true; }
        else if (key == "truncated") { truncated = field.value; hasTruncated = true; }
        else if (key == "entities") { entities = field.value; hasEntities = true; }
        else if (key == "extended_tweet") { extended = field.value; hasExtended = true; }
        else if (key == "data") { data = field.value; hasData = true; }
    }
    if (hasTimestamp) {
        std::string_view text;
        int64_t milliseconds = 0;
        if (!timestamp.get_string().get(text)) {
            result.kind = FLOW_SCAN_V1_TEXT_TIME;
            result.time_text = {text.data(), text.size()};
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
            if (hasExtended && lastMember(extended, "entities", extendedEntities)) readHashtags(extendedEntities, "text", hashtags);
        } else if (hasEntities) {
            readHashtags(entities, "text", hashtags);
        }
    } else if (hasData) {
        element createdAt, dataEntities;
        std::string_view text;
        if (!lastMember(data, "created_at", createdAt) || createdAt.get_string().get(text)) return result;
        result.kind = FLOW_SCAN_V2;
        result.time_text = {text.data(), text.size()};
        if (lastMember(data, "entities", dataEntities)) readHashtags(dataEntities, "tag", hashtags);
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
    element root;
    if (scanner->parser.parse(line, length, false).get(root)) return {FLOW_SCAN_UNDECIDED, 0, {nullptr, 0}, nullptr, 0};
    flow_scan_fields result = fields(root, scanner->hashtags);
    if (result.kind == FLOW_SCAN_UNDECIDED) {
        scanner->hashtags.clear();
        return result;
    }
    result.hashtags = scanner->hashtags.data();
    result.hashtag_count = scanner->hashtags.size();
    return result;
}
