@testable import Bert
import Foundation
import Testing

/// The encoder's matrix products and elementwise functions against plain double-precision
/// arithmetic, and the property scores rely on: a row's result does not depend on how many rows
/// (or which neighbours) it is computed with.
struct EncoderKernelTests {
    /// Reproducible values in [−1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23)
        }
    }

    static func naiveProduct(_ a: [Float], _ b: [Float], rows: Int, inner: Int, columns: Int) -> [Double] {
        (0..<(rows * columns)).map { index in
            let row = index / columns, column = index % columns
            return (0..<inner).reduce(0.0) { $0 + Double(a[row * inner + $1]) * Double(b[$1 * columns + column]) }
        }
    }

    static func packedProduct(_ x: [Float], _ packed: [Float], packing: MatrixProducts.Packing, rows: Int, inputs: Int, outputs: Int) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outputs)
        x.withUnsafeBufferPointer { input in
            packed.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer {
                    MatrixProducts.accumulate(weights.baseAddress!, packing: packing, inputs: inputs, outputs: outputs,
                                              input.baseAddress!, rows: rows, into: $0.baseAddress!)
                }
            }
        }
        return output
    }

    /// Shapes of MiniLM and of the tiny test model, and odd ones: a narrower last column block,
    /// an input count no block size divides.
    @Test(arguments: [(384, 1536), (1536, 384), (32, 64), (96, 37), (50, 70)])
    func packedProductsEqualThePlainProduct(inputs: Int, outputs: Int) {
        let weights = Self.values(inputs * outputs, seed: 1)
        let packing = MatrixProducts.Packing(inputs: inputs, outputs: outputs)
        let packed = MatrixProducts.pack(weights, inputs: inputs, outputs: outputs, packing: packing)
        for rows in [1, 7, 70] {
            let x = Self.values(rows * inputs, seed: UInt64(rows))
            let product = Self.packedProduct(x, packed, packing: packing, rows: rows, inputs: inputs, outputs: outputs)
            let expected = Self.naiveProduct(x, weights, rows: rows, inner: inputs, columns: outputs)
            let worst = zip(product, expected).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 1e-4 * Double(inputs).squareRoot(), "\(rows)×\(inputs)×\(outputs): off by \(worst)")
        }
    }

    /// Only on generated kernels: OpenBLAS may sum in another order for another row count (so the
    /// encoder multiplies one sequence at a time either way).
    @Test(.enabled(if: MatrixProducts.generatedKernels)) func aRowsProductDoesNotDependOnTheOtherRows() {
        let (inputs, outputs, rows) = (384, 1152, 61)
        let packing = MatrixProducts.Packing(inputs: inputs, outputs: outputs)
        let packed = MatrixProducts.pack(Self.values(inputs * outputs, seed: 2), inputs: inputs, outputs: outputs, packing: packing)
        let x = Self.values(rows * inputs, seed: 3)
        let all = Self.packedProduct(x, packed, packing: packing, rows: rows, inputs: inputs, outputs: outputs)
        for row in [0, 17, 60] {
            let alone = Self.packedProduct(Array(x[(row * inputs)..<((row + 1) * inputs)]), packed, packing: packing, rows: 1, inputs: inputs, outputs: outputs)
            let differing = zip(alone, all[(row * outputs)..<((row + 1) * outputs)]).filter { $0 != $1 }.count
            #expect(differing == 0, "row \(row): \(differing) of \(outputs) outputs differ")
        }
    }

    @Test func smallProductsWithLeadingDimensionsEqualThePlainProduct() {
        let (rows, inner, columns, lda, ldb, ldc) = (23, 64, 29, 70, 31, 40)
        let a = Self.values(rows * lda, seed: 4), b = Self.values(inner * ldb, seed: 5)
        var c = [Float](repeating: .nan, count: rows * ldc)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer {
                    MatrixProducts.multiply(rows: rows, columns: columns, inner: inner, a.baseAddress!, lda, b.baseAddress!, ldb, into: $0.baseAddress!, ldc)
                }
            }
        }
        let dense = { (matrix: [Float], count: Int, width: Int, stride: Int) in
            (0..<count).flatMap { row in matrix[(row * stride)..<(row * stride + width)] }
        }
        let expected = Self.naiveProduct(dense(a, rows, inner, lda), dense(b, inner, columns, ldb), rows: rows, inner: inner, columns: columns)
        let product = dense(c, rows, columns, ldc)
        #expect(zip(product, expected).allSatisfy { abs(Double($0) - $1) < 1e-4 })
        #expect(c[columns..<ldc].allSatisfy { $0.isNaN }, "nothing is written between rows")
    }

    @Test func geluAndExpFollowTheirDefinitions() {
        let inputs = (0..<2001).map { Float($0 - 1000) / 100 }
        var gelu = inputs, exps = inputs.map { -abs($0) * 5 }
        let exponents = exps
        gelu.withUnsafeMutableBufferPointer { VectorMath.gelu($0) }
        exps.withUnsafeMutableBufferPointer { VectorMath.expOfNonPositive($0) }
        for (x, y) in zip(inputs, gelu) {
            let exact = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            #expect(abs(Double(y) - exact) < 1e-6 * max(1, abs(exact)), "gelu(\(x)) = \(y), not \(exact)")
        }
        for (x, y) in zip(exponents, exps) {
            let exact = Foundation.exp(Double(x))
            #expect(abs(Double(y) - exact) <= 1e-6 * exact + 1e-37, "exp(\(x)) = \(y), not \(exact)")
        }
    }

    @Test func aValuesResultDoesNotDependOnItsPlaceInTheBuffer() {
        let values = Self.values(13, seed: 6).map { $0 * 4 }
        var together = values
        together.withUnsafeMutableBufferPointer { VectorMath.gelu($0) }
        for (index, value) in values.enumerated() {
            var alone = [value]
            alone.withUnsafeMutableBufferPointer { VectorMath.gelu($0) }
            #expect(alone[0] == together[index])
        }
    }

    @Test func sumsLayerNormAndSoftmaxFollowTheirDefinitions() {
        for count in [1, 8, 13, 31, 384] {
            let values = Self.values(count, seed: UInt64(count)).map { $0 * 3 }
            let sum = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(Double(values.withUnsafeBufferPointer { VectorMath.sum($0.baseAddress!, count: count) }) - sum) < 1e-4)
            let gamma = Self.values(count, seed: 11), beta = Self.values(count, seed: 12)
            let mean = sum / Double(count)
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count)
            var normed = values
            normed.withUnsafeMutableBufferPointer { VectorMath.layerNorm($0.baseAddress!, width: count, gamma: gamma, beta: beta, epsilon: 1e-12) }
            for index in values.indices where count > 1 {
                let exact = (Double(values[index]) - mean) / (variance + 1e-12).squareRoot() * Double(gamma[index]) + Double(beta[index])
                #expect(abs(Double(normed[index]) - exact) < 1e-5, "layer norm of \(count), value \(index)")
            }
            var softmax = values
            softmax.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count, scale: 0.5) }
            let largest = values.max()!
            let exps = values.map { Foundation.exp(Double($0 - largest) * 0.5) }
            let total = exps.reduce(0, +)
            #expect(zip(softmax, exps).allSatisfy { abs(Double($0) - $1 / total) < 1e-6 }, "softmax of \(count)")
        }
    }
}
