import CEncoderKernels

extension MatrixProducts {
    /// A weight matrix packed once for its layer's precision (see `PackedGemm.h`).
    enum PackedWeights: Sendable {
        case fp32([Float])
        /// Rounded to bf16, rows in pairs.
        case bf16([UInt16])
        /// Quantized per output column (`scales`), rows in fours; `columnSums` of the quantized values.
        case int8([Int8], scales: [Float], columnSums: [Int32])

        /// Packs the row-major `[inputs × outputs]` matrix for `precision`, or for fp32 where the
        /// CPU lacks its kernels or the row blocks cannot hold the pairs or fours.
        init(_ matrix: [Float], inputs: Int, outputs: Int, packing: Packing, precision: Precision) {
            let (k, n, kBlock, nBlock) = (Int32(inputs), Int32(outputs), Int32(packing.inputBlock), Int32(packing.outputBlock))
            switch precision {
            case .bf16 where bf16Kernels && packing.inputBlock.isMultiple(of: 2):
                var packed = [UInt16](repeating: 0, count: matrix.count)
                flow_pack_bf16(matrix, k, n, kBlock, nBlock, &packed)
                self = .bf16(packed)
            case .int8 where int8Kernels && packing.inputBlock.isMultiple(of: 4):
                var packed = [Int8](repeating: 0, count: matrix.count)
                var scales = [Float](repeating: 0, count: outputs), sums = [Int32](repeating: 0, count: outputs)
                flow_pack_int8(matrix, k, n, kBlock, nBlock, &packed, &scales, &sums)
                self = .int8(packed, scales: scales, columnSums: sums)
            default:
                self = .fp32(MatrixProducts.pack(matrix, inputs: inputs, outputs: outputs, packing: packing))
            }
        }
    }

    /// A bf16 or int8 layer's input, converted once for all of a batch's rows (each row on its
    /// own, so a row's result does not depend on the others), and the int8 products' scratch.
    struct ReducedInput {
        private(set) var rounded: [UInt16] = []
        private(set) var quantized: [UInt8] = []
        private(set) var rowScales: [Float] = []
        var sums: [Int32] = []

        /// Converts `rows` rows of `inputs` values for `weight`'s format (nothing for fp32).
        mutating func prepare(_ input: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int, for weight: PackedWeights) {
            switch weight {
            case .fp32: return
            case .bf16:
                if rounded.count < rows * inputs { rounded = Array(repeating: 0, count: rows * inputs) }
                flow_round_to_bf16(input, rows * inputs, &rounded)
            case .int8:
                if quantized.count < rows * inputs { quantized = Array(repeating: 0, count: rows * inputs) }
                if rowScales.count < rows { rowScales = Array(repeating: 0, count: rows) }
                if sums.count < rows * outputs { sums = Array(repeating: 0, count: rows * outputs) }
                flow_quantize_rows(input, Int32(rows), Int32(inputs), &quantized, &rowScales)
            }
        }
    }

    /// `output[rows × outputs] += input[firstRow ..< firstRow + rows] · W` for a bf16 or int8 W,
    /// the input prepared by ``ReducedInput/prepare(_:rows:inputs:outputs:for:)``.
    static func accumulate(_ weight: PackedWeights, packing: Packing, inputs: Int, outputs: Int, _ input: inout ReducedInput,
                           firstRow: Int, rows: Int, into output: UnsafeMutablePointer<Float>) {
        let (k, n, kBlock, nBlock) = (Int32(inputs), Int32(outputs), Int32(packing.inputBlock), Int32(packing.outputBlock))
        let done: Int32
        switch weight {
        case .fp32: preconditionFailure("an fp32 layer takes its input as it is")
        case .bf16(let packed):
            done = input.rounded.withUnsafeBufferPointer { flow_packed_gemm_bf16(packed, k, n, kBlock, nBlock, $0.baseAddress! + firstRow * inputs, Int32(rows), output) }
        case .int8(let packed, let scales, let columnSums):
            let (quantized, rowScales) = (input.quantized, input.rowScales)
            done = quantized.withUnsafeBufferPointer { x in
                rowScales.withUnsafeBufferPointer { rowScales in
                    input.sums.withUnsafeMutableBufferPointer { sums in
                        flow_packed_gemm_int8(packed, scales, columnSums, k, n, kBlock, nBlock, x.baseAddress! + firstRow * inputs,
                                              rowScales.baseAddress! + firstRow, Int32(rows), sums.baseAddress!, output)
                    }
                }
            }
        }
        precondition(done != 0, "libxsmm generated no kernel for \(rows)×\(inputs)×\(outputs) in a format it generated others in")
    }
}
