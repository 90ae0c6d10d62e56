// Counting one byte value in a buffer, 32 bytes a step: equal lanes are subtracted (−1 each) into
// 8-bit counters, which are summed before they can overflow. Written once with vector types and
// compiled twice on x86-64, for AVX2 (x86-64-v3) and for baseline SSE2, the loader choosing.
#include "ByteCount.h"
#include "TargetClones.h"

typedef unsigned char bytes32 __attribute__((ext_vector_type(32)));
typedef unsigned short shorts32 __attribute__((ext_vector_type(32)));

FLOW_TARGET_CLONES
size_t flow_count_byte(const uint8_t *bytes, size_t length, uint8_t byte) {
    size_t count = 0, offset = 0;
    while (length - offset >= 32) {
        size_t steps = (length - offset) / 32;
        if (steps > 255) steps = 255;
        bytes32 counters = 0;
        for (size_t step = 0; step < steps; step++, offset += 32) {
            bytes32 block;
            __builtin_memcpy(&block, bytes + offset, sizeof block);
            counters -= (bytes32)(block == byte);
        }
        count += __builtin_reduce_add(__builtin_convertvector(counters, shorts32));
    }
    for (; offset < length; offset++) count += bytes[offset] == byte;
    return count;
}
