#include "VectorFunctions.h"
#include "TargetClones.h"

#define LANES 16
typedef float floats __attribute__((ext_vector_type(LANES)));
typedef int ints __attribute__((ext_vector_type(LANES)));

// The helpers take and give their vectors through pointers: a vector argument's ABI differs
// between the targets. Inlined, the pointers cost nothing.
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

/// Applies `function` to every value, the last `count % LANES` in one zero-padded group.
#define MAP(values, count, function)                                        \
    do {                                                                    \
        long whole = (count) / LANES * LANES;                               \
        for (long offset = 0; offset < whole; offset += LANES) {            \
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

FLOW_TARGET_CLONES void flow_gelu(float *values, long count) { MAP(values, count, gelu); }

FLOW_TARGET_CLONES void flow_exp_of_non_positive(float *values, long count) { MAP(values, count, exp_of_non_positive); }

/// The sum of `(value − center)²` (`squares`) or of `value − center` over `count` values: whole
/// groups lane by lane, then the lanes and the last few values in order, so the order depends
/// only on `count`.
HELPER float centered_sum(const float *values, long count, float center, int squares) {
    long whole = count / LANES * LANES;
    floats lanes = 0;
    for (long offset = 0; offset < whole; offset += LANES) {
        floats x;
        __builtin_memcpy(&x, values + offset, sizeof x);
        x -= center;
        lanes += squares ? x * x : x;
    }
    float total = 0;
    for (int lane = 0; lane < LANES; lane++) total += lanes[lane];
    for (long index = whole; index < count; index++) {
        float x = values[index] - center;
        total += squares ? x * x : x;
    }
    return total;
}

HELPER float largest(const float *values, long count) {
    long whole = count / LANES * LANES;
    floats lanes = -__builtin_inff();
    for (long offset = 0; offset < whole; offset += LANES) {
        floats x;
        __builtin_memcpy(&x, values + offset, sizeof x);
        ints above = x > lanes;
        choose(&above, &x, &lanes);
    }
    float result = -__builtin_inff();
    for (int lane = 0; lane < LANES; lane++) result = lanes[lane] > result ? lanes[lane] : result;
    for (long index = whole; index < count; index++) result = values[index] > result ? values[index] : result;
    return result;
}

FLOW_TARGET_CLONES float flow_sum(const float *values, long count) { return centered_sum(values, count, 0, 0); }

FLOW_TARGET_CLONES void flow_layer_norm(float *row, long width, const float *gamma, const float *beta, float epsilon) {
    float mean = centered_sum(row, width, 0, 0) / (float)width;
    float variance = centered_sum(row, width, mean, 1) / (float)width;
    float inverse = 1 / __builtin_sqrtf(variance + epsilon);
    for (long index = 0; index < width; index++) row[index] = (row[index] - mean) * inverse * gamma[index] + beta[index];
}

FLOW_TARGET_CLONES void flow_softmax(float *row, long count, float scale) {
    float top = largest(row, count);
    for (long index = 0; index < count; index++) row[index] = (row[index] - top) * scale;
    MAP(row, count, exp_of_non_positive);
    float inverse = 1 / centered_sum(row, count, 0, 0);
    for (long index = 0; index < count; index++) row[index] *= inverse;
}
