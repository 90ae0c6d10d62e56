// Checking every backslash escape of a JSON line at once, 64 bytes a step, with masks instead of
// a loop over the escapes: which backslashes start an escape, which bytes they escape, and whether
// those are among `" \ / b f n r t u`, the four after each `u` hexadecimal digits, and every high
// surrogate followed by a low one and every low one preceded by a high one. A mask carries what
// spills into the next 64 bytes. Written once with vector types and compiled twice on x86-64, for
// AVX2 (x86-64-v3) and for baseline SSE2, the loader choosing.
#include "EscapeCheck.h"
#include "TargetClones.h"

#include <stdbool.h>
#include <string.h>

typedef unsigned char bytes64 __attribute__((ext_vector_type(64)));
typedef bool bits64 __attribute__((ext_vector_type(64)));

/// One bit per lane, the first lane in the lowest bit.
static inline uint64_t lanes(bits64 lanesSet) {
    uint64_t mask;
    memcpy(&mask, &lanesSet, sizeof mask);
    return mask;
}

#define LANES(condition) lanes(__builtin_convertvector((condition), bits64))

/// Of the `backslashes`, those that start an escape, given whether the first byte is escaped by
/// the block before. Only `\\` escapes a backslash, so in a run of them every other one starts.
static inline uint64_t escapeStarts(uint64_t backslashes, uint64_t firstEscaped) {
    if ((backslashes & ((backslashes << 1) | firstEscaped)) == 0) return backslashes;
    uint64_t starts = 0, previousStarted = firstEscaped;
    for (int bit = 0; bit < 64; bit++) {
        uint64_t started = ((backslashes >> bit) & 1) & (previousStarted ^ 1);
        starts |= started << bit;
        previousStarted = started;
    }
    return starts;
}

FLOW_TARGET_CLONES
bool flow_check_escapes(const uint8_t *line, size_t length, uint64_t *backslash_masks) {
    uint64_t escapedFirst = 0;     // the next block's first byte is escaped
    uint64_t pendingDigits = 0;    // bytes of the next block that must be hexadecimal digits
    uint64_t pendingU1 = 0;        // the next block's first byte follows an escaped `u`
    uint64_t pendingDU = 0;        // the next block's first byte follows an escaped `u` and a `d`
    uint64_t pendingLows = 0;      // where the next block's low surrogates must be (their third byte)
    for (size_t block = 0; block < length; block += 64) {
        bytes64 bytes;
        memcpy(&bytes, line + block, sizeof bytes);
        uint64_t inLine = length - block >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (length - block)) - 1;
        uint64_t backslashes = LANES(bytes == '\\') & inLine;
        backslash_masks[block / 64] = backslashes;
        if ((backslashes | escapedFirst | pendingDigits | pendingU1 | pendingDU | pendingLows) == 0) continue;

        uint64_t starts = escapeStarts(backslashes, escapedFirst);
        uint64_t escaped = (starts << 1) | escapedFirst;
        escapedFirst = starts >> 63;
        bytes64 lower = bytes | 0x20;
        uint64_t simple = LANES((bytes == '"') | (bytes == '\\') | (bytes == '/') | (bytes == 'b') | (bytes == 'f') |
                                (bytes == 'n') | (bytes == 'r') | (bytes == 't')) & inLine;
        uint64_t us = LANES(bytes == 'u') & inLine;
        if (escaped & ~(simple | us)) return false;

        // The four bytes after each escaped `u` must be hexadecimal digits.
        uint64_t unicode = escaped & us;
        uint64_t digits = LANES((bytes - (unsigned char)'0' < 10) | (lower - (unsigned char)'a' < 6)) & inLine;
        uint64_t needDigits = (unicode << 1) | (unicode << 2) | (unicode << 3) | (unicode << 4) | pendingDigits;
        pendingDigits = (unicode >> 63) | (unicode >> 62) | (unicode >> 61) | (unicode >> 60);
        if (needDigits & ~digits) return false;

        // Surrogates: `d` right after the `u`, then 8–b (high) or c–f (low). Each high one must
        // have a low one six bytes on, and each low one a high one six bytes before.
        uint64_t afterU = (unicode << 1) | pendingU1;
        pendingU1 = unicode >> 63;
        uint64_t dAfterU = afterU & LANES(lower == 'd');
        uint64_t secondDigit = (dAfterU << 1) | pendingDU;
        pendingDU = dAfterU >> 63;
        uint64_t highs = secondDigit & LANES((bytes - (unsigned char)'8' < 2) | (lower - (unsigned char)'a' < 2));
        uint64_t lows = secondDigit & LANES(lower - (unsigned char)'c' < 4);
        uint64_t expectedLows = (highs << 6) | pendingLows;
        pendingLows = highs >> 58;
        if (lows != expectedLows) return false;
    }
    return (escapedFirst | pendingDigits | pendingLows) == 0;
}
