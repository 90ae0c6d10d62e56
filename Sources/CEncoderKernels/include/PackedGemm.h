#ifndef FLOW_PACKED_GEMM_H
#define FLOW_PACKED_GEMM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Matrix products against a weight matrix packed once, when the model loads, into the blocks
/// libxsmm's just-in-time kernels read (libxsmm-dev). A BLAS `sgemm` repacks its operand on every
/// call; for the short sequences of a BERT encoder that repacking is a tenth of the time.
///
/// Layout of a `k × n` row-major matrix W packed with blocks `k_block × n_block`: column blocks
/// of `n_block` columns (the last may be narrower), one after the other at a stride of
/// `k * n_block` floats; inside each, row blocks of `k_block` rows, each row block its columns'
/// values row by row (`k_block × width` floats, contiguous).

/// Packs the row-major `k × n` matrix `weights` into `packed` (`k * n` floats). `k_block` must
/// divide `k`. With `n_block = n` the packed matrix is the row-major one.
void flow_pack(const float *weights, int k, int n, int k_block, int n_block, float *packed);

/// Whether kernels can be generated on this machine (an x86-64 CPU libxsmm knows).
int flow_packed_gemm_available(void);

/// `out[rows × n] += x[rows × k] · W` (all row-major; `x` and `out` rows `k` and `n` floats
/// apart), W packed by `flow_pack` with the same blocks. Each output is summed over `k` in the
/// same order whatever `rows` is. Returns 0 if no kernel could be generated (nothing is written).
int flow_packed_gemm(const float *packed, int k, int n, int k_block, int n_block,
                     const float *x, int rows, float *out);

/// `c[rows × columns] = a[rows × inner] · b[inner × columns]`, row-major with leading dimensions
/// `lda`, `ldb`, `ldc` (no packing: for the attention's small products). Returns 0 if no kernel
/// could be generated (nothing is written).
int flow_gemm(int rows, int columns, int inner, const float *a, int lda, const float *b, int ldb, float *c, int ldc);

/// Whether bf16 products run on this CPU's own bf16 dot products (AVX512_BF16). Elsewhere
/// libxsmm would emulate them, slower than fp32, so the encoder keeps fp32 there.
int flow_packed_gemm_bf16_available(void);

/// Packs the row-major `k × n` matrix `weights`, rounded to bf16, into `packed` (`k * n` values)
/// with the blocks of `flow_pack`, each row block's rows in pairs (VNNI order): row pair `p` of a
/// block `width` wide holds `(w[2p][0], w[2p+1][0], w[2p][1], w[2p+1][1], …)`. `k_block` must be
/// even and divide `k`.
void flow_pack_bf16(const float *weights, int k, int n, int k_block, int n_block, uint16_t *packed);

/// `rounded[i]` = `values[i]` rounded to the nearest bf16 (ties to even), for `count` values.
void flow_round_to_bf16(const float *values, long count, uint16_t *rounded);

/// `out[rows × n] += x[rows × k] · W` with W and `x` in bf16 (W packed by `flow_pack_bf16`, `x` by
/// `flow_round_to_bf16`), products summed in fp32, each output over `k` in the same order whatever
/// `rows` is. Returns 0 if no kernel could be generated (nothing is written).
int flow_packed_gemm_bf16(const uint16_t *packed, int k, int n, int k_block, int n_block,
                          const uint16_t *x, int rows, float *out);

/// Whether int8 products run on this CPU's own int8 dot products (AVX-512 VNNI).
int flow_packed_gemm_int8_available(void);

/// Quantizes the row-major `k × n` matrix `weights` per column (output channel), symmetric:
/// `scales[j]` = the column's largest magnitude / 127 (1 for a zero column), each weight
/// `round(w / scales[j])`, packed with the blocks of `flow_pack`, each row block's rows in fours
/// (row quad `q` of a block `width` wide holds `w[4q][0..3 rows]` for column 0, then column 1, …).
/// `column_sums[j]` is the sum of column `j`'s quantized weights. `k_block` must be a multiple of
/// 4 and divide `k`.
void flow_pack_int8(const float *weights, int k, int n, int k_block, int n_block, int8_t *packed, float *scales, int32_t *column_sums);

/// Quantizes each of `rows` rows of `k` values on its own: `scales[r]` = the row's largest
/// magnitude / 127 (1 for a zero row), each value `round(x / scales[r]) + 128` (so 1 to 255).
void flow_quantize_rows(const float *x, int rows, int k, uint8_t *quantized, float *scales);

/// `out[rows × n] += x[rows × k] · W` from `flow_pack_int8`'s W and `flow_quantize_rows`' `x`:
/// exact int32 sums, then `row_scale · column_scale · (sum − 128 · column_sum)`. `sums` is scratch
/// of `rows × n` ints. Returns 0 if no kernel could be generated (nothing is written).
int flow_packed_gemm_int8(const int8_t *packed, const float *column_scales, const int32_t *column_sums, int k, int n, int k_block, int n_block,
                          const uint8_t *x, const float *row_scales, int rows, int32_t *sums, float *out);

#ifdef __cplusplus
}
#endif

#endif
