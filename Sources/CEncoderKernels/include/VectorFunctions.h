#ifndef FLOW_VECTOR_FUNCTIONS_H
#define FLOW_VECTOR_FUNCTIONS_H

#ifdef __cplusplus
extern "C" {
#endif

/// The encoder's elementwise functions and row reductions, sixteen values at a time, each compiled
/// three times: for x86-64-v4 (AVX-512), x86-64-v3 (AVX2 and FMA) and baseline x86-64, the loader
/// picking the one the CPU runs. Every value goes through the same lanes' arithmetic, the last
/// few included, so a value's result does not depend on where it sits in the buffer, and a sum's
/// order depends only on the count (on one machine).

/// GELU with the error function, `x·Φ(x) = ½·x·(1 + erf(x/√2))` (not the tanh approximation), in
/// place. erf is Abramowitz and Stegun's formula 7.1.26 (absolute error below 1.5e-7).
void flow_gelu(float *values, long count);

/// eˣ of every value, in place; the values must not be positive (softmax after subtracting the
/// row's largest). A range reduction to `2ⁿ·eʳ` and a degree-6 polynomial (relative error about
/// 2e-7); below −87.3 the result is taken at −87.3 (about 1e-38).
void flow_exp_of_non_positive(float *values, long count);

/// The sum of `count` values (in sixteen running sums, then in order).
float flow_sum(const float *values, long count);

/// Layer norm of one row in place: `(x − mean) / √(variance + epsilon) · gamma + beta`, the
/// variance the mean square of `x − mean`.
void flow_layer_norm(float *row, long width, const float *gamma, const float *beta, float epsilon);

/// The softmax of `scale` times the row (`scale` > 0), in place.
void flow_softmax(float *row, long count, float scale);

#ifdef __cplusplus
}
#endif

#endif
