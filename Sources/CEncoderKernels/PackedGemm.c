#include "PackedGemm.h"

#include "TargetClones.h"

#include <libxsmm.h>
#include <string.h>

void flow_pack(const float *weights, int k, int n, int k_block, int n_block, float *packed) {
    for (int first = 0; first < n; first += n_block) {
        int width = n - first < n_block ? n - first : n_block;
        float *column_block = packed + (long)first * k;
        for (int row = 0; row < k; row++) {
            for (int column = 0; column < width; column++) {
                column_block[(long)row * width + column] = weights[(long)row * n + first + column];
            }
        }
    }
}

/// A batch-reduce kernel: `c[width × rows] += Σ a_i[width × k_block] · b_i[k_block × rows]` in
/// libxsmm's column-major terms, a_i the row blocks of one column block, b_i columns of `x`.
static libxsmm_smmfunction_reducebatch_strd kernel(int width, int rows, int k, int k_block, int n) {
    const float one = 1;
    const int flags = LIBXSMM_GEMM_FLAG_NONE, prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    const libxsmm_blasint lda = width, ldb = k, ldc = n;
    return libxsmm_smmdispatch_reducebatch_strd(width, rows, k_block, (libxsmm_blasint)width * k_block * sizeof(float),
                                                (libxsmm_blasint)k_block * sizeof(float), &lda, &ldb, &ldc,
                                                &one, &one, &flags, &prefetch);
}

int flow_packed_gemm_available(void) { return kernel(32, 1, 32, 32, 32) != 0; }

int flow_packed_gemm(const float *packed, int k, int n, int k_block, int n_block,
                     const float *x, int rows, float *out) {
    if (rows <= 0) return 1;
    int tail = n % n_block;
    libxsmm_smmfunction_reducebatch_strd full = n >= n_block ? kernel(n_block, rows, k, k_block, n) : 0;
    libxsmm_smmfunction_reducebatch_strd narrow = tail ? kernel(tail, rows, k, k_block, n) : 0;
    if ((n >= n_block && !full) || (tail && !narrow)) return 0;
    const unsigned long long blocks = (unsigned long long)(k / k_block);
    for (int first = 0; first < n; first += n_block) {
        libxsmm_smmfunction_reducebatch_strd run = n - first < n_block ? narrow : full;
        run(packed + (long)first * k, x, out + first, &blocks);
    }
    return 1;
}

int flow_gemm(int rows, int columns, int inner, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    if (rows <= 0 || columns <= 0) return 1;
    const float alpha = 1, beta = 0;
    // Row-major c = a·b is column-major cᵀ = bᵀ·aᵀ.
    const int flags = LIBXSMM_GEMM_FLAG_NONE, prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    const libxsmm_blasint ld_b = ldb, ld_a = lda, ld_c = ldc;
    libxsmm_smmfunction run = libxsmm_smmdispatch(columns, rows, inner, &ld_b, &ld_a, &ld_c, &alpha, &beta, &flags, &prefetch);
    if (!run) return 0;
    run(b, a, c);
    return 1;
}

/// libxsmm's code target, held at Cooper Lake (AVX-512 with bf16 and int8 dot products): newer
/// targets may get tile (AMX) kernels from libxsmm 1.17, which this file does not configure.
static int target(void) {
    if (libxsmm_get_target_archid() > LIBXSMM_X86_AVX512_CPX) libxsmm_set_target_archid(LIBXSMM_X86_AVX512_CPX);
    return libxsmm_get_target_archid();
}

int flow_packed_gemm_bf16_available(void) { return target() == LIBXSMM_X86_AVX512_CPX; }

static inline uint16_t bf16_of(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    bits += 0x7fff + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

FLOW_TARGET_CLONES void flow_round_to_bf16(const float *values, long count, uint16_t *rounded) {
    for (long index = 0; index < count; index++) rounded[index] = bf16_of(values[index]);
}

void flow_pack_bf16(const float *weights, int k, int n, int k_block, int n_block, uint16_t *packed) {
    for (int first = 0; first < n; first += n_block) {
        int width = n - first < n_block ? n - first : n_block;
        uint16_t *column_block = packed + (long)first * k;
        for (int row = 0; row < k; row++) {
            for (int column = 0; column < width; column++) {
                column_block[(long)(row / 2) * width * 2 + column * 2 + row % 2] = bf16_of(weights[(long)row * n + first + column]);
            }
        }
    }
}

static libxsmm_bsmmfunction_reducebatch_strd bf16_kernel(int width, int rows, int k, int k_block, int n) {
    const float one = 1;
    const int flags = LIBXSMM_GEMM_FLAG_VNNI_A, prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    const libxsmm_blasint lda = width, ldb = k, ldc = n;
    return libxsmm_bsmmdispatch_reducebatch_strd(width, rows, k_block, (libxsmm_blasint)width * k_block * sizeof(uint16_t),
                                                 (libxsmm_blasint)k_block * sizeof(uint16_t), &lda, &ldb, &ldc,
                                                 &one, &one, &flags, &prefetch);
}

int flow_packed_gemm_bf16(const uint16_t *packed, int k, int n, int k_block, int n_block,
                          const uint16_t *x, int rows, float *out) {
    if (rows <= 0) return 1;
    int tail = n % n_block;
    libxsmm_bsmmfunction_reducebatch_strd full = n >= n_block ? bf16_kernel(n_block, rows, k, k_block, n) : 0;
    libxsmm_bsmmfunction_reducebatch_strd narrow = tail ? bf16_kernel(tail, rows, k, k_block, n) : 0;
    if ((n >= n_block && !full) || (tail && !narrow)) return 0;
    const unsigned long long blocks = (unsigned long long)(k / k_block);
    for (int first = 0; first < n; first += n_block) {
        libxsmm_bsmmfunction_reducebatch_strd run = n - first < n_block ? narrow : full;
        run((const libxsmm_bfloat16 *)packed + (long)first * k, (const libxsmm_bfloat16 *)x, out + first, &blocks);
    }
    return 1;
}

int flow_packed_gemm_int8_available(void) { return target() >= LIBXSMM_X86_AVX512_CLX; }

/// `scaled` rounded to the nearest whole number (ties to even) in −127…127; NaN (from a damaged
/// model's weights or the activations they make) becomes 0, never a conversion C leaves undefined.
static inline int clamped_round(float scaled) {
    if (!(scaled >= -127)) scaled = scaled == scaled ? -127 : 0;
    if (scaled > 127) scaled = 127;
    return (int)__builtin_rintf(scaled);
}

void flow_pack_int8(const float *weights, int k, int n, int k_block, int n_block, int8_t *packed, float *scales, int32_t *column_sums) {
    for (int column = 0; column < n; column++) {
        float largest = 0;
        for (int row = 0; row < k; row++) {
            float magnitude = __builtin_fabsf(weights[(long)row * n + column]);
            largest = magnitude > largest ? magnitude : largest;
        }
        scales[column] = largest > 0 ? largest / 127 : 1;
        column_sums[column] = 0;
    }
    for (int first = 0; first < n; first += n_block) {
        int width = n - first < n_block ? n - first : n_block;
        int8_t *column_block = packed + (long)first * k;
        for (int row = 0; row < k; row++) {
            for (int column = 0; column < width; column++) {
                int8_t value = (int8_t)clamped_round(weights[(long)row * n + first + column] / scales[first + column]);
                column_block[(long)(row / 4) * width * 4 + column * 4 + row % 4] = value;
                column_sums[first + column] += value;
            }
        }
    }
}

FLOW_TARGET_CLONES void flow_quantize_rows(const float *x, int rows, int k, uint8_t *quantized, float *scales) {
    for (int row = 0; row < rows; row++) {
        const float *values = x + (long)row * k;
        float largest = 0;
        for (int index = 0; index < k; index++) {
            float magnitude = __builtin_fabsf(values[index]);
            largest = magnitude > largest ? magnitude : largest;
        }
        float scale = largest > 0 ? largest / 127 : 1, inverse = 1 / scale;
        scales[row] = scale;
        uint8_t *out = quantized + (long)row * k;
        for (int index = 0; index < k; index++) {
            out[index] = (uint8_t)(clamped_round(values[index] * inverse) + 128);
        }
    }
}

static libxsmm_subimmfunction_reducebatch_strd int8_kernel(int width, int rows, int k, int k_block, int n) {
    const int one = 1, zero = 0;
    const int flags = LIBXSMM_GEMM_FLAG_VNNI_A, prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    const libxsmm_blasint lda = width, ldb = k, ldc = n;
    return libxsmm_subimmdispatch_reducebatch_strd(width, rows, k_block, (libxsmm_blasint)width * k_block, k_block, &lda, &ldb, &ldc,
                                                   &one, &zero, &flags, &prefetch);
}

FLOW_TARGET_CLONES static void dequantize(const int32_t *sums, const float *column_scales, const int32_t *column_sums, int n,
                                          const float *row_scales, int rows, float *out) {
    for (int row = 0; row < rows; row++) {
        for (int column = 0; column < n; column++) {
            long at = (long)row * n + column;
            out[at] += row_scales[row] * (column_scales[column] * (float)(sums[at] - 128 * column_sums[column]));
        }
    }
}

int flow_packed_gemm_int8(const int8_t *packed, const float *column_scales, const int32_t *column_sums, int k, int n, int k_block, int n_block,
                          const uint8_t *x, const float *row_scales, int rows, int32_t *sums, float *out) {
    if (rows <= 0) return 1;
    int tail = n % n_block;
    libxsmm_subimmfunction_reducebatch_strd full = n >= n_block ? int8_kernel(n_block, rows, k, k_block, n) : 0;
    libxsmm_subimmfunction_reducebatch_strd narrow = tail ? int8_kernel(tail, rows, k, k_block, n) : 0;
    if ((n >= n_block && !full) || (tail && !narrow)) return 0;
    const unsigned long long blocks = (unsigned long long)(k / k_block);
    for (int first = 0; first < n; first += n_block) {
        libxsmm_subimmfunction_reducebatch_strd run = n - first < n_block ? narrow : full;
        run((const char *)packed + (long)first * k, x, sums + first, &blocks);
    }
    dequantize(sums, column_scales, column_sums, n, row_scales, rows, out);
    return 1;
}
