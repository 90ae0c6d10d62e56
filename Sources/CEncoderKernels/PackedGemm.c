#include "PackedGemm.h"

#include <libxsmm.h>

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
