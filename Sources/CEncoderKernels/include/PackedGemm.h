#ifndef FLOW_PACKED_GEMM_H
#define FLOW_PACKED_GEMM_H

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

#ifdef __cplusplus
}
#endif

#endif
