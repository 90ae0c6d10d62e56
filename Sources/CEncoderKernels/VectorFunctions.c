#include "VectorFunctions.h"
#include "TargetClones.h"

typedef float floats __attribute__((ext_vector_type(8)));
typedef int ints __attribute__((ext_vector_type(8)));

#define BOTH_TARGETS FLOW_TARGET_CLONES

// The helpers take and give their vectors through pointers: a vector argument's ABI differs
// between the two targets. Inlined, the pointers cost nothing.
#define HELPER static inline __attribute__((always_inline))

HELPER void choose(const ints *mask, const floats *yes, floats *value) {
    *value = (floats)((*mask & (ints)*yes) | (~*mask & (ints)*value));
}

HELPER void exp_of_non_positive(floats *value) {
    floats x = *value, floor = -87.3f;
    ints below = x < floor;
    choose(&below, &floor, &x);
    // Adding 1.5·2²³ rounds x·log₂e to the integer n, left in the low mantissa bits.
    const float magic = 12582912.0f;
    floats shifted = x * 1.44269504088896341f + magic;
    floats n = shifted - magic;
    floats r = x - n * 0.693145751953125f - n * 1.42860682030941723212e-6f;
    floats p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    ints exponent = (ints)shifted - 0x4B400000;
    *value = p * (floats)((exponent + 127) << 23);
}

HELPER void gelu(floats *value) {
    floats x = *value * 0.70710678118654752f;
    ints negative = x < 0;
    floats z = x, flipped = -x;
    choose(&negative, &flipped, &z);
    floats t = 1 / (1 + 0.3275911f * z);
    floats polynomial = 1.061405429f * t - 1.453152027f;
    polynomial = polynomial * t + 1.421413741f;
    polynomial = polynomial * t - 0.284496736f;
    polynomial = polynomial * t + 0.254829592f;
    polynomial *= t;
    floats gaussian = -z * z;
    exp_of_non_positive(&gaussian);
    floats erf = 1 - polynomial * gaussian, negated = -erf;
    choose(&negative, &negated, &erf);
    *value = 0.5f * *value * (1 + erf);
}

/// Applies `function` to every value, the last `count % 8` in one zero-padded group.
#define MAP(values, count, function)                                        \
    do {                                                                    \
        long whole = (count) / 8 * 8;                                       \
        for (long offset = 0; offset < whole; offset += 8) {                \
            floats x;                                                       \
            __builtin_memcpy(&x, (values) + offset, sizeof x);              \
            function(&x);                                                   \
            __builtin_memcpy((values) + offset, &x, sizeof x);              \
        }                                                                   \
        if (whole < (count)) {                                              \
            floats tail = 0;                                                \
            for (long lane = 0; lane < (count) - whole; lane++) tail[lane] = (values)[whole + lane]; \
            function(&tail);                                                \
            for (long lane = 0; lane < (count) - whole; lane++) (values)[whole + lane] = tail[lane]; \
        }                                                                   \
    } while (0)

BOTH_TARGETS void flow_gelu(float *values, long count) { MAP(values, count, gelu); }

BOTH_TARGETS void flow_exp_of_non_positive(float *values, long count) { MAP(values, count, exp_of_non_positive); }
