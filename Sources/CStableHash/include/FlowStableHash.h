#ifndef FLOW_STABLE_HASH_H
#define FLOW_STABLE_HASH_H

// Flow's stable hash, defined here once: FNV-1a over the bytes, then the MurmurHash3 64-bit
// finaliser to spread the bits. Swift's `StableHash` and the tweet decoder's C++ (which hashes a
// hashtag while it lowercases it) both use these functions. Key groups, and so checkpoints,
// depend on every value: the golden values in StableHashTests must never change.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The hash of no bytes: FNV-1a's 64-bit offset basis.
static inline uint64_t flow_stable_hash_start(void) {
    return 0xcbf29ce484222325ULL;
}

/// `hash` with one more byte: one FNV-1a step (64-bit prime).
static inline uint64_t flow_stable_hash_add(uint64_t hash, uint8_t byte) {
    return (hash ^ byte) * 0x100000001b3ULL;
}

/// The finished hash: MurmurHash3's fmix64 of the FNV-1a state.
static inline uint64_t flow_stable_hash_finish(uint64_t hash) {
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 33;
    return hash;
}

#ifdef __cplusplus
}
#endif

#endif
