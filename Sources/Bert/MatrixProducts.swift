import CBLAS
import CEncoderKernels
import Foundation

/// The encoder's matrix products, on libxsmm's generated kernels (`CEncoderKernels`), or on
/// OpenBLAS where no kernel can be generated, or when `FLOW_GEMM=blas` asks for it (to compare).
/// On generated kernels a row's outputs do not depend on the other rows of the product; on
/// OpenBLAS they can (its kernels sum in another order for another row count), so the encoder
/// multiplies one sequence at a time either way.
enum MatrixProducts {
    /// Whether products run on generated kernels.
    static let generatedKernels = ProcessInfo.processInfo.environment["FLOW_GEMM"] != "blas" && flow_packed_gemm_available() != 0

    /// Whether bf16 products run on generated kernels over the CPU's bf16 dot products.
    static let bf16Kernels = generatedKernels && flow_packed_gemm_bf16_available() != 0

    /// Whether int8 products run on generated kernels over the CPU's int8 dot products.
    static let int8Kernels = generatedKernels && flow_packed_gemm_int8_available() != 0

    /// A weight matrix's packing: blocks of `inputBlock` rows and `outputBlock` columns (see
    /// `PackedGemm.h`); with one column block (OpenBLAS) it is the row-major matrix.
    struct Packing: Sendable {
        var inputBlock: Int
        var outputBlock: Int

        init(inputs: Int, outputs: Int) {
            // Measured on MiniLM's shapes: 32 columns beat 16, 48 and 64 clearly; 64 to 384 rows a
            // block made no difference.
            inputBlock = [128, 64, 32].first { inputs % $0 == 0 } ?? inputs
            outputBlock = generatedKernels ? 32 : outputs
        }
    }

    /// The row-major `[inputs × outputs]` matrix packed for ``accumulate(_:packing:inputs:outputs:_:rows:into:)``.
    static func pack(_ matrix: [Float], inputs: Int, outputs: Int, packing: Packing) -> [Float] {
        var packed = [Float](repeating: 0, count: matrix.count)
        flow_pack(matrix, Int32(inputs), Int32(outputs), Int32(packing.inputBlock), Int32(packing.outputBlock), &packed)
        return packed
    }

    /// `output[rows × outputs] += input[rows × inputs] · W`, rows contiguous, W packed by ``pack``.
    static func accumulate(_ packed: UnsafePointer<Float>, packing: Packing, inputs: Int, outputs: Int,
                           _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
        if generatedKernels, flow_packed_gemm(packed, Int32(inputs), Int32(outputs), Int32(packing.inputBlock), Int32(packing.outputBlock),
                                              input, Int32(rows), output) != 0 { return }
        for first in stride(from: 0, to: outputs, by: packing.outputBlock) {
            let width = min(packing.outputBlock, outputs - first)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(width), Int32(inputs),
                        1, input, Int32(inputs), packed + first * inputs, Int32(width), 1, output + first, Int32(outputs))
        }
    }

    /// `c = a · b`, row-major with leading dimensions.
    static func multiply(rows: Int, columns: Int, inner: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                         _ b: UnsafePointer<Float>, _ ldb: Int, into c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if generatedKernels, flow_gemm(Int32(rows), Int32(columns), Int32(inner), a, Int32(lda), b, Int32(ldb), c, Int32(ldc)) != 0 { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(columns), Int32(inner), 1,
                    a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }
}
