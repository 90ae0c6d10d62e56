#ifndef FLOW_TWEET_SCAN_H
#define FLOW_TWEET_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a line was found to be by the fast path. Anything unusual is left to the Swift decoder.
typedef enum {
    /// Not decided here (not valid JSON to simdjson, or an unusual case): decode it in Swift.
    FLOW_SCAN_UNDECIDED = 0,
    /// Valid JSON that is not a tweet.
    FLOW_SCAN_NOT_TWEET = 1,
    /// A v1.1 tweet whose `timestamp_ms` is a JSON integer or a string of 1 to 18 digits (its
    /// value in `timestamp`).
    FLOW_SCAN_V1_INTEGER_TIME = 2,
    /// A v1.1 tweet whose `timestamp_ms` is another string (in `time_text`, to be checked by the
    /// caller).
    FLOW_SCAN_V1_TEXT_TIME = 3,
    /// A v2 tweet; `data.created_at` is in `time_text`, to be parsed by the caller.
    FLOW_SCAN_V2 = 4,
} flow_scan_kind;

typedef struct {
    const char *bytes;
    size_t length;
} flow_scan_text;

/// A hashtag with its ASCII capitals lowercased; when `is_ascii` it is fully lowercased and
/// `stable_hash` is the stable hash of its bytes (Flow's `StableHash`, from `FlowStableHash.h`).
typedef struct {
    const char *bytes;
    size_t length;
    bool is_ascii;
    uint64_t stable_hash;
} flow_scan_hashtag;

/// The fields of one line; the texts point into the scanner and last until its next call.
typedef struct {
    flow_scan_kind kind;
    int64_t timestamp;
    flow_scan_text time_text;
    const flow_scan_hashtag *hashtags;
    size_t hashtag_count;
} flow_scan_fields;

typedef struct flow_tweet_scanner flow_tweet_scanner;

flow_tweet_scanner *flow_tweet_scanner_create(void);
void flow_tweet_scanner_destroy(flow_tweet_scanner *scanner);

/// Validates one line (without its line end) with simdjson and picks out the trending job's
/// fields. `readable` is how many bytes from `line` may be read (at least `length`); with fewer
/// than 64 past the line, it is copied first.
flow_scan_fields flow_tweet_scan(flow_tweet_scanner *scanner, const uint8_t *line, size_t length, size_t readable);

#ifdef __cplusplus
}
#endif

#endif
