#ifndef FLOW_ESCAPE_CHECK_H
#define FLOW_ESCAPE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether every backslash escape in the `length` bytes at `line` is valid JSON: `\" \\ \/ \b \f
/// \n \r \t` or `\u` and four hexadecimal digits, surrogates only in high-low pairs. Strings need
/// not be known: a backslash outside strings is invalid anyway, and the caller refuses it there.
/// Writes one mask of backslashes per 64 bytes to `backslash_masks` (room for `length / 64 + 1`).
/// Reads up to 63 bytes past the end.
bool flow_check_escapes(const uint8_t *line, size_t length, uint64_t *backslash_masks);

#ifdef __cplusplus
}
#endif

#endif
