// A validating walk over the structural characters simdjson's stage 1 found in one line.
//
// Stage 1 (SIMD, the library's) has already checked UTF-8, closed every string, refused control
// characters inside strings and indexed every `{ } [ ] : ,`, every opening quote and the first
// byte of every other scalar, including any byte but whitespace that follows a closing quote. So a
// string that starts at a structural is a well-formed string except, perhaps, for its escapes.
// What is left to check is the escapes (`flow_check_escapes`, one pass over the line), the
// grammar between the structural characters, the digits of numbers and the spelling of `true`,
// `false` and `null` (this walk). Neither builds simdjson's tape: a string the caller does not ask
// for is not even looked at, and no number is converted unless asked. Whatever they cannot vouch
// for they refuse, and the caller hands the line to the decoder that explains rejections.
#ifndef FLOW_STRUCTURAL_WALK_HPP
#define FLOW_STRUCTURAL_WALK_HPP

#include <cstdint>
#include <cstring>

namespace flow_scan {

/// The body of a JSON string, between its quotes, as it stands in the line.
struct StringSpan {
    const uint8_t *bytes = nullptr;
    uint32_t length = 0;
    /// Whether it holds escapes (all of them valid), so that it must be unescaped before use.
    bool escaped = false;
};

inline bool isWhitespace(uint8_t byte) { return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t'; }
inline bool isDigit(uint8_t byte) { return static_cast<uint8_t>(byte - '0') < 10; }

/// Whether a scalar whose checked part ends at `end` ends there: at its limit (the next
/// structural) or at whitespace, since anything after whitespace is another structural.
inline bool endsScalar(const uint8_t *end, const uint8_t *limit) { return end == limit || isWhitespace(*end); }

/// Nonzero unless all eight bytes of `word` are ASCII digits: high half 3, and still 3 after adding
/// 6 to the byte. (Adding 6 carries into the next byte only from a byte the first test refuses.)
inline uint64_t nonDigits(uint64_t word) {
    constexpr uint64_t highHalves = 0xf0f0f0f0f0f0f0f0, threes = 0x3030303030303030, sixes = 0x0606060606060606;
    return ((word & highHalves) ^ threes) | (((word + sixes) & highHalves) ^ threes);
}

/// Whether the `length` bytes at `bytes` (readable 8 past the start) are all ASCII digits, eight
/// at a time: ids have 19.
inline bool allDigits(const uint8_t *bytes, size_t length) {
    uint64_t word;
    if (length < 8) {
        memcpy(&word, bytes, 8);
        return (nonDigits(word) & ((uint64_t(1) << (8 * length)) - 1)) == 0;
    }
    uint64_t refused = 0;
    for (size_t offset = 0; offset + 8 <= length; offset += 8) {
        memcpy(&word, bytes + offset, 8);
        refused |= nonDigits(word);
    }
    memcpy(&word, bytes + length - 8, 8);
    return (refused | nonDigits(word)) == 0;
}

/// The value of `length` ASCII digits if there are 1 to 18 of them (no 64-bit integer overflows),
/// or -1 for anything else.
inline int64_t smallInteger(const uint8_t *digits, size_t length) {
    if (length == 0 || length > 18) return -1;
    int64_t value = 0;
    for (size_t index = 0; index < length; index++) {
        if (!isDigit(digits[index])) return -1;
        value = value * 10 + (digits[index] - '0');
    }
    return value;
}

/// Whether the scalar from `start` to `limit` is a JSON number.
__attribute__((always_inline)) inline bool isNumber(const uint8_t *start, const uint8_t *limit) {
    // Most are plain integers: digits up to the limit (or to whitespace before it).
    const uint8_t *end = limit;
    while (end > start && isWhitespace(end[-1])) end--;
    size_t length = static_cast<size_t>(end - start);
    if (static_cast<uint8_t>(*start - '1') < 9 && allDigits(start, length)) return true;
    const uint8_t *at = start;
    if (*at == '-') at++;
    if (at < limit && *at == '0') {
        at++;
    } else {
        if (at == limit || !isDigit(*at)) return false;
        while (at < limit && isDigit(*at)) at++;
    }
    if (at < limit && *at == '.') {
        at++;
        if (at == limit || !isDigit(*at)) return false;
        while (at < limit && isDigit(*at)) at++;
    }
    if (at < limit && (*at | 0x20) == 'e') {
        at++;
        if (at < limit && (*at == '+' || *at == '-')) at++;
        if (at == limit || !isDigit(*at)) return false;
        while (at < limit && isDigit(*at)) at++;
    }
    return endsScalar(at, limit);
}

/// Whether the scalar from `start` to `limit` is the literal `word` of `size` letters.
inline bool isLiteral(const uint8_t *start, const uint8_t *limit, const char *word, size_t size) {
    return static_cast<size_t>(limit - start) >= size && memcmp(start, word, size) == 0 && endsScalar(start + size, limit);
}

/// Whether the scalar from `start` to `limit` is valid. A string needs no look: stage 1 and
/// `flow_check_escapes` have checked it all.
__attribute__((always_inline)) inline bool isScalar(const uint8_t *start, const uint8_t *limit) {
    // Tests in order of frequency rather than a jump table, whose target is harder to predict.
    uint8_t first = *start;
    if (first == '"') return true;
    if (first == 'f') return isLiteral(start, limit, "false", 5);
    if (first == 't') return isLiteral(start, limit, "true", 4);
    if (first == 'n') return isLiteral(start, limit, "null", 4);
    return isNumber(start, limit);
}

class StructuralWalk {
public:
    /// A walk over `line` with stage 1's `indexes` (`count` of them, followed by one equal to the
    /// line's length, as simdjson leaves them) and the backslash masks `flow_check_escapes` wrote.
    StructuralWalk(const uint8_t *line, const uint32_t *indexes, uint32_t count, const uint64_t *backslashMasks)
        : line(line), cursor(indexes), last(indexes + count), backslashMasks(backslashMasks) {}

    /// The next structural character, or 0 past the last.
    uint8_t peek() const { return cursor < last ? line[*cursor] : 0; }

    /// Consumes the next structural character and returns it (0 past the last).
    uint8_t take() { return cursor < last ? line[*cursor++] : 0; }

    /// Whether every structural character has been consumed.
    bool finished() const { return cursor == last; }

    /// Consumes a string (the next structural is its opening quote) and finds its body.
    bool string(StringSpan &span);

    /// Consumes and checks one whole value, however deeply nested.
    bool skipValue();

    /// Consumes and checks a number; true in `isSmallInteger` (with its value in `value`) when it
    /// is an integer of at most 18 digits, which no 64-bit integer overflows.
    bool number(int64_t &value, bool &isSmallInteger);

private:
    /// Whether any byte from `from` up to `to` (not included) is a backslash.
    bool hasBackslash(uint32_t from, uint32_t to) const {
        for (uint32_t word = from / 64; word <= (to - 1) / 64 && from < to; word++) {
            uint64_t mask = backslashMasks[word];
            if (word == from / 64) mask &= ~uint64_t(0) << (from % 64);
            if (word == (to - 1) / 64) mask &= ~uint64_t(0) >> (63 - (to - 1) % 64);
            if (mask != 0) return true;
        }
        return false;
    }

    const uint8_t *line;
    /// The next structural's index, and the end of the indexes.
    const uint32_t *cursor, *last;
    /// One bit per byte of the line, set for a backslash.
    const uint64_t *backslashMasks;
};

inline bool StructuralWalk::string(StringSpan &span) {
    if (take() != '"') return false;
    uint32_t quote = cursor[-1];
    // Only whitespace stands between the closing quote and the next structural.
    uint32_t end = *cursor;
    while (end > quote + 1 && isWhitespace(line[end - 1])) end--;
    uint32_t close = end - 1;
    if (close <= quote || line[close] != '"') return false;
    span.bytes = line + quote + 1;
    span.length = close - quote - 1;
    span.escaped = hasBackslash(quote + 1, close);
    return true;
}

inline bool StructuralWalk::number(int64_t &value, bool &isSmallInteger) {
    uint8_t character = take();
    if (character != '-' && !isDigit(character)) return false;
    const uint8_t *start = line + cursor[-1];
    const uint8_t *limit = line + *cursor;
    if (!isNumber(start, limit)) return false;
    const uint8_t *digits = start + (character == '-');
    const uint8_t *end = digits;
    while (end < limit && isDigit(*end)) end++;
    bool isInteger = end == limit || (*end != '.' && (*end | 0x20) != 'e');
    int64_t magnitude = isInteger ? smallInteger(digits, static_cast<size_t>(end - digits)) : -1;
    isSmallInteger = magnitude >= 0;
    value = character == '-' ? -magnitude : magnitude;
    return true;
}

inline bool StructuralWalk::skipValue() {
    // The cursor lives in a register here; it is stored back on the way out.
    const uint32_t *at = cursor;
    auto take = [&]() -> uint8_t { return at < last ? line[*at++] : 0; };
    auto finish = [&](bool valid) {
        cursor = at;
        return valid;
    };
    // One bit per open container: set for an array.
    constexpr uint32_t maximumDepth = 1024;
    uint64_t isArray[maximumDepth / 64];
    uint32_t depth = 0;
    uint8_t character;

value:
    character = take();
    if (character == '"') goto after;  // stage 1 and the escape check have checked it all
    if (character == '{') {
        if (depth == maximumDepth) return finish(false);
        isArray[depth / 64] &= ~(uint64_t(1) << (depth % 64));
        depth++;
        if (at < last && line[*at] == '}') {
            at++;
            goto closed;
        }
        goto key;
    }
    if (character == '[') {
        if (depth == maximumDepth) return finish(false);
        isArray[depth / 64] |= uint64_t(1) << (depth % 64);
        depth++;
        if (at < last && line[*at] == ']') {
            at++;
            goto closed;
        }
        goto value;
    }
    if (character == 0 || character == '}' || character == ']' || character == ':' || character == ',') return finish(false);
    if (!isScalar(line + at[-1], line + *at)) return finish(false);
    goto after;

key:
    if (take() != '"' || take() != ':') return finish(false);
    goto value;

closed:
    depth--;
after:
    if (depth == 0) return finish(true);
    character = take();
    if (isArray[(depth - 1) / 64] & (uint64_t(1) << ((depth - 1) % 64))) {
        if (character == ',') goto value;
        if (character == ']') goto closed;
    } else {
        if (character == ',') goto key;
        if (character == '}') goto closed;
    }
    return finish(false);
}

}  // namespace flow_scan

#endif
