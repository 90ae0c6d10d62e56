#include "PackedGemm.h"

#include "TargetClones.h"

#include <libxsmm.h>
#include <string.h>

/// Where W's element (`row`, `column`) goes in the packed layout, rows grouped in `group`s
/// (1 for fp32, 2 for bf16, 4 for int8) inside each column block.
static long packed_index(int row, int column, int k, int n, int n_block, int group) {
    int first = column / n_block * n_block;
    int width = n - first < n_block ? n - first : n_block;
    return (long)first * k + (long)(row / group) * width * group + (long)(column - first) * group + row % group;
}

/// A generated batch-reduce kernel of any element type: `c[width × rows] += Σ a_i[width × k_block]
/// · b_i[k_block × rows]` in libxsmm's column-major terms, a_i the row blocks of one column block,
/// b_i columns of `x`.
typedef void (*any_kernel)(void);
typedef any_kernel (*kernel_maker)(int width, int rows, int k, int k_block, int n);
typedef void (*kernel_call)(any_kernel kernel, const void *a, const void *b, void *c, const unsigned long long *blocks);

/// `out[rows × n] += x[rows × k] · W` over W's column blocks with `make`'s kernels, each called by
/// `call`; `weight_size` is the bytes of one packed weight. Returns 0 if no kernel could be made.
static int over_column_blocks(kernel_maker make, kernel_call call, const void *packed, size_t weight_size,
                              int k, int n, int k_block, int n_block, const void *x, int rows, void *out, size_t out_size) {
    if (rows <= 0) return 1;
    int tail = n % n_block;
    any_kernel full = n >= n_block ? make(n_block, rows, k, k_block, n) : 0;
    any_kernel narrow = tail ? make(tail, rows, k, k_block, n) : 0;
    if ((n >= n_block && !full) || (tail && !narrow)) return 0;
    const unsigned long long blocks = (unsigned long long)(k / k_block);
    for (int first = 0; first < n; first += n_block) {
        call(n - first < n_block ? narrow : full, (const char *)packed + (long)first * k * weight_size, x,
             (char *)out + (long)first * out_size, &blocks);
    }
    return 1;
}

static const int prefetch = LIBXSMM_GEMM_PREFETCH_NONE;

// fp32

void flow_pack(const float *weights, int k, int n, int k_block, int n_block, float *packed) {
    (void)k_block;
    for (int row = 0; row < k; row++) {
        for (int column = 0; column < n; column++) packed[packed_index(row, column, k, n, n_block, 1)] = weights[(long)row * n + column];
    }
}

static any_kernel fp32_kernel(int width, int rows, int k, int k_block, int n) {
    const float one = 1;
    const int flags = LIBXSMM_GEMM_FLAG_NONE;
    const libxsmm_blasint lda = width, ldb = k, ldc = n;
    return (any_kernel)libxsmm_smmdispatch_reducebatch_strd(width, rows, k_block, (libxsmm_blasint)width * k_block * sizeof(float),
                                                            (libxsmm_blasint)k_block * sizeof(float), &lda, &ldb, &ldc, &one, &one, &flags, &prefetch);
}

static void fp32_call(any_kernel kernel, const void *a, const void *b, void *c, const unsigned long long *blocks) {
    ((libxsmm_smmfunction_reducebatch_strd)kernel)(a, b, c, blocks);
}

int flow_packed_gemm_available(void) { return fp32_kernel(32, 1, 32, 32, 32) != 0; }

int flow_packed_gemm(const float *packed, int k, int n, int k_block, int n_block, const float *x, int rows, float *out) {
    return over_column_blocks(fp32_kernel, fp32_call, packed, sizeof(float), k, n, k_block, n_block, x, rows, out, sizeof(float));
}

int flow_gemm(int rows, int columns, int inner, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    if (rows <= 0 || columns <= 0) return 1;
    const float alpha = 1, beta = 0;
    // Row-major c = a·b is column-major cᵀ = bᵀ·aᵀ.
    const int flags = LIBXSMM_GEMM_FLAG_NONE;
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

// bf16

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
    (void)k_block;
    for (int row = 0; row < k; row++) {
        for (int column = 0; column < n; column++) packed[packed_index(row, column, k, n, n_block, 2)] = bf16_of(weights[(long)row * n + column]);
    }
}

static any_kernel bf16_kernel(int width, int rows, int k, int k_block, int n) {
    const float one = 1;
    const int flags = LIBXSMM_GEMM_FLAG_VNNI_A;
    const libxsmm_blasint lda = width, ldb = k, ldc = n;
    return (any_kernel)libxsmm_bsmmdispatch_reducebatch_strd(width, rows, k_block, (libxsmm_blasint)width * k_block * sizeof(uint16_t),
                                                             (libxsmm_blasint)k_block * sizeof(uint16_t), &lda, &ldb, &ldc, &one, &one, &flags, &prefetch);
}

static void bf16_call(any_kernel kernel, const void *a, const void *b, void *c, const unsigned long long *blocks) {
    ((libxsmm_bsmmfunction_reducebatch_strd)kernel)(a, b, c, blocks);
}

int flow_packed_gemm_bf16(const uint16_t *packed, int k, int n, int k_block, int n_block, const uint16_t *x, int rows, float *out) {
    return over_column_blocks(bf16_kernel, bf16_call, packed, sizeof(uint16_t), k, n, k_block, n_block, x, rows, out, sizeof(float));
}

// int8

int flow_packed_gemm_int8_available(void) { return target() >= LIBXSMM_X86_AVX512_CLX; }

/// `scaled` rounded to the nearest whole number (ties to even) in −127…127; NaN (from a damaged
/// model's weights or the activations they make) becomes 0, never a conversion C leaves undefined.
static inline int clamped_round(float scaled) {
    if (!(scaled >= -127)) scaled = scaled == scaled ? -127 : 0;
    if (scaled > 127) scaled = 127;
    return (int)__builtin_rintf(scaled);
}

void flow_pack_int8(const float *weights, int k, int n, int k_block, int n_block, int8_t *packed, float *scales, int32_t *column_sums) {
    (void)k_block;
    for (int column = 0; column < n; column++) {
        float largest = 0;
        for (int row = 0; row < k; row++) {
            float magnitude = __builtin_fabsf(weights[(long)row * n + column]);
            largest = magnitude > largest ? magnitude : largest;
        }
        scales[column] = largest > 0 ? largest / 127 : 1;
        column_sums[column] = 0;
        for (int row = 0; row < k; row++) {
            int8_t value = (int8_t)clamped_round(weights[(long)row * n + column] / scales[column]);
            packed[packed_index(row, column, k, n, n_block, 4)] = value;
            column_sums[column] += value;
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
        for (int index = 0; index < k; index++) out[index] = (uint8_t)(clamped_round(values[index] * inverse) + 128);
    }
}

static any_kernel int8_kernel(int width, int rows, int k, int k_block, int n) {
    const int one = 1, zero = 0;
    const int flags = LIBXSMM_GEMM_FLAG_VNNI_A;
    const libxsmm_blasint lda = width, ldb = k, ldc = n;
    return (any_kernel)libxsmm_subimmdispatch_reducebatch_strd(width, rows, k_block, (libxsmm_blasint)width * k_block, k_block, &lda, &ldb, &ldc,
                                                               &one, &zero, &flags, &prefetch);
}

static void int8_call(any_kernel kernel, const void *a, const void *b, void *c, const unsigned long long *blocks) {
    ((libxsmm_subimmfunction_reducebatch_strd)kernel)(a, b, c, blocks);
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
    if (!over_column_blocks(int8_kernel, int8_call, packed, sizeof(int8_t), k, n, k_block, n_block, x, rows, sums, sizeof(int32_t))) return 0;
    dequantize(sums, column_scales, column_sums, n, row_scales, rows, out);
    return 1;
}
