#ifndef FLOW_BYTE_COUNT_H
#define FLOW_BYTE_COUNT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How many of the `length` bytes at `bytes` equal `byte`, 32 bytes a step (AVX2 where the CPU
/// has it, SSE2 otherwise on x86-64). The tweet-log reader counts the lines of every chunk with it.
size_t flow_count_byte(const uint8_t *bytes, size_t length, uint8_t byte);

#ifdef __cplusplus
}
#endif

#endif
