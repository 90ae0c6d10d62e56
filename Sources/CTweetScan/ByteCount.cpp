// Counting one byte value in a buffer, a vector of bytes at a time: equal lanes are subtracted
// (−1 each) into 8-bit counters, which are summed with SAD before they can overflow.
#include "ByteCount.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace {

__attribute__((target("avx2"))) size_t countAVX2(const uint8_t *bytes, size_t length, uint8_t byte) {
    const __m256i needle = _mm256_set1_epi8(static_cast<char>(byte));
    size_t count = 0, offset = 0;
    while (length - offset >= 32) {
        size_t steps = (length - offset) / 32;
        if (steps > 255) steps = 255;
        __m256i counters = _mm256_setzero_si256();
        for (size_t step = 0; step < steps; step++, offset += 32) {
            __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(bytes + offset));
            counters = _mm256_sub_epi8(counters, _mm256_cmpeq_epi8(block, needle));
        }
        __m256i sums = _mm256_sad_epu8(counters, _mm256_setzero_si256());
        count += static_cast<size_t>(_mm256_extract_epi64(sums, 0) + _mm256_extract_epi64(sums, 1) +
                                     _mm256_extract_epi64(sums, 2) + _mm256_extract_epi64(sums, 3));
    }
    for (; offset < length; offset++) count += bytes[offset] == byte;
    return count;
}

size_t countSSE2(const uint8_t *bytes, size_t length, uint8_t byte) {
    const __m128i needle = _mm_set1_epi8(static_cast<char>(byte));
    size_t count = 0, offset = 0;
    while (length - offset >= 16) {
        size_t steps = (length - offset) / 16;
        if (steps > 255) steps = 255;
        __m128i counters = _mm_setzero_si128();
        for (size_t step = 0; step < steps; step++, offset += 16) {
            __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i *>(bytes + offset));
            counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(block, needle));
        }
        __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
        count += static_cast<size_t>(_mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
    for (; offset < length; offset++) count += bytes[offset] == byte;
    return count;
}

}  // namespace

extern "C" size_t flow_count_byte(const uint8_t *bytes, size_t length, uint8_t byte) {
    static const bool hasAVX2 = __builtin_cpu_supports("avx2");
    return hasAVX2 ? countAVX2(bytes, length, byte) : countSSE2(bytes, length, byte);
}

#else

extern "C" size_t flow_count_byte(const uint8_t *bytes, size_t length, uint8_t byte) {
    size_t count = 0;
    for (size_t offset = 0; offset < length; offset++) count += bytes[offset] == byte;
    return count;
}

#endif
