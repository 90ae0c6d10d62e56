@testable import Bert
import CEncoderKernels
import Flow
import Foundation
import Testing

/// The bf16 and int8 encoder paths against fp32 and the reference: their products equal the
/// plain product of the same rounded or quantized operands, a row's result does not depend on its
/// neighbours, every fixture text's bf16 embedding stays within ``PrecisionProbe/minimumCosine`` of
/// fp32's and of sentence-transformers', and `auto` keeps the fastest precision within that bound.
/// These need a CPU with bf16 (AVX512_BF16) or int8 (AVX-512 VNNI) dot products; on one without
/// bf16, the test that runs instead checks that bf16 is refused in one sentence.
struct ReducedPrecisionTests {
    static let bf16 = Precision.bf16Supported, int8 = Precision.int8Supported
    static let minilmBF16 = Result { try BertModel(folder: try ModelDirectory.locate(), precision: .bf16) }
    static let minilmInt8 = Result { try BertModel(folder: try ModelDirectory.locate(), precision: .int8) }

    /// `value` rounded to the nearest bf16, ties to even, as a Float.
    static func rounded(_ value: Float) -> Float {
        var bits = value.bitPattern
        bits &+= 0x7fff &+ ((bits >> 16) & 1)
        return Float(bitPattern: bits & 0xffff_0000)
    }

    static func product(_ x: [Float], _ weights: [Float], precision: Precision, rows: Int, inputs: Int, outputs: Int) -> [Float] {
        let packing = MatrixProducts.Packing(inputs: inputs, outputs: outputs)
        let packed = MatrixProducts.PackedWeights(weights, inputs: inputs, outputs: outputs, packing: packing, precision: precision)
        var output = [Float](repeating: 0, count: rows * outputs)
        var input = MatrixProducts.ReducedInput()
        x.withUnsafeBufferPointer { input.prepare($0.baseAddress!, rows: rows, inputs: inputs, outputs: outputs, for: packed) }
        output.withUnsafeMutableBufferPointer {
            MatrixProducts.accumulate(packed, packing: packing, inputs: inputs, outputs: outputs, &input, firstRow: 0, rows: rows, into: $0.baseAddress!)
        }
        return output
    }

    /// Symmetric int8 quantization as `PackedGemm.h` describes it: the scale, then each value.
    static func quantized(_ values: [Float]) -> (scale: Float, values: [Int]) {
        let largest = values.map(abs).max() ?? 0
        let scale: Float = largest > 0 ? largest / 127 : 1
        return (scale, values.map { Int(min(max($0 / scale, -127), 127).rounded(.toNearestOrEven)) })
    }

    /// The product of the int8 operands, exactly, scaled back.
    static func int8Product(_ x: [Float], _ weights: [Float], rows: Int, inputs: Int, outputs: Int) -> [Double] {
        let columns = (0..<outputs).map { column in quantized((0..<inputs).map { weights[$0 * outputs + column] }) }
        return (0..<rows).flatMap { row in
            let input = quantized(Array(x[(row * inputs)..<((row + 1) * inputs)]))
            return columns.map { column in
                Double(input.scale) * Double(column.scale) * Double(zip(input.values, column.values).reduce(0) { $0 + $1.0 * $1.1 })
            }
        }
    }

    @Test func roundingIsToNearestEven() {
        let values: [Float] = [1, 1 + 1.0 / 256, 1 + 1.0 / 128 + 1.0 / 256, -3.14159, 1e-30, 65504, 0]
        var out = [UInt16](repeating: 0, count: values.count)
        flow_round_to_bf16(values, values.count, &out)
        #expect(out == values.map { UInt16(Self.rounded($0).bitPattern >> 16) })
        #expect(Self.rounded(1 + 1.0 / 256) == 1, "a tie goes to the even neighbour")
        #expect(Self.rounded(1 + 1.0 / 128 + 1.0 / 256) == 1 + 2.0 / 128)
    }

    @Test(.enabled(if: bf16), arguments: [(384, 1536), (1536, 384), (32, 64), (384, 1152), (64, 70)])
    func bf16ProductsEqualThePlainProductOfTheRoundedOperands(inputs: Int, outputs: Int) {
        let weights = EncoderKernelTests.values(inputs * outputs, seed: 7)
        for rows in [1, 7, 70] {
            let x = EncoderKernelTests.values(rows * inputs, seed: UInt64(rows) + 8)
            let found = Self.product(x, weights, precision: .bf16, rows: rows, inputs: inputs, outputs: outputs)
            let expected = EncoderKernelTests.naiveProduct(x.map(Self.rounded), weights.map(Self.rounded), rows: rows, inner: inputs, columns: outputs)
            let worst = zip(found, expected).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 1e-4 * Double(inputs).squareRoot(), "\(rows)×\(inputs)×\(outputs): off by \(worst)")
        }
    }

    @Test(.enabled(if: int8), arguments: [(384, 1536), (1536, 384), (32, 64), (384, 1152), (64, 70)])
    func int8ProductsEqualTheExactProductOfTheQuantizedOperands(inputs: Int, outputs: Int) {
        let weights = EncoderKernelTests.values(inputs * outputs, seed: 13).enumerated().map { $1 * Float(1 + $0 % 5) }
        for rows in [1, 7, 70] {
            let x = EncoderKernelTests.values(rows * inputs, seed: UInt64(rows) + 14).map { $0 * 6 }
            let found = Self.product(x, weights, precision: .int8, rows: rows, inputs: inputs, outputs: outputs)
            let expected = Self.int8Product(x, weights, rows: rows, inputs: inputs, outputs: outputs)
            let worst = zip(found, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
            #expect(worst < 1e-5, "\(rows)×\(inputs)×\(outputs): off by \(worst)")
        }
    }

    /// A damaged model's NaN weight, or the NaN and infinite activations it makes, quantize to 0
    /// (never a float-to-integer conversion C leaves undefined): the product equals the one with
    /// 0 in its place.
    @Test(.enabled(if: int8)) func nonFiniteValuesQuantizeToZero() {
        let (inputs, outputs, rows) = (64, 32, 3)
        var weights = EncoderKernelTests.values(inputs * outputs, seed: 15)
        var x = EncoderKernelTests.values(rows * inputs, seed: 16)
        var cleanWeights = weights, cleanX = x
        weights[5 * outputs + 3] = .nan
        cleanWeights[5 * outputs + 3] = 0
        x[inputs + 7] = .nan
        cleanX[inputs + 7] = 0
        let found = Self.product(x, weights, precision: .int8, rows: rows, inputs: inputs, outputs: outputs)
        #expect(found == Self.product(cleanX, cleanWeights, precision: .int8, rows: rows, inputs: inputs, outputs: outputs))
        x[2 * inputs] = .infinity
        let infinite = Self.product(x, weights, precision: .int8, rows: rows, inputs: inputs, outputs: outputs)
        #expect(infinite[0..<(2 * outputs)] == found[0..<(2 * outputs)], "an infinite input touches its own row only")
    }

    @Test(.enabled(if: bf16 || int8), arguments: [Precision.bf16, .int8].filter(\.isSupported))
    func aRowsProductDoesNotDependOnTheOtherRows(precision: Precision) {
        let (inputs, outputs, rows) = (384, 1152, 61)
        let weights = EncoderKernelTests.values(inputs * outputs, seed: 9)
        let x = EncoderKernelTests.values(rows * inputs, seed: 10)
        let all = Self.product(x, weights, precision: precision, rows: rows, inputs: inputs, outputs: outputs)
        for row in [0, 17, 60] {
            let alone = Self.product(Array(x[(row * inputs)..<((row + 1) * inputs)]), weights, precision: precision, rows: 1, inputs: inputs, outputs: outputs)
            #expect(zip(alone, all[(row * outputs)..<((row + 1) * outputs)]).allSatisfy { $0 == $1 }, "row \(row)")
        }
    }

    /// The issue's bound: cosine ≥ 0.999 to the fp32 embedding and to sentence-transformers' for
    /// every fixture text, and the same text's embedding in any batch bit for bit.
    @Test(.enabled(if: bf16)) func bf16EmbeddingsStayWithinTheBoundOfFP32AndTheReference() throws {
        let exact = try BertParityTests.minilm.get(), reduced = try Self.minilmBF16.get()
        #expect(reduced.precision == .bf16 && reduced.identity.hasSuffix(":bf16") && exact.precision == .fp32)
        let fixture = try BertParityTests.json("minilm_embeddings.json")
        let texts = fixture["texts"] as! [String]
        let reference = (fixture["embeddings"] as! [[Double]]).map { $0.map(Float.init) }
        let fp32 = SentenceEmbedder(encoder: BertEncoder(model: exact)).embed(texts)
        let embedder = SentenceEmbedder(encoder: BertEncoder(model: reduced))
        let alone = texts.map { embedder.embed([$0])[0] }
        var worst: Float = 1
        for index in texts.indices {
            let toFP32 = PrecisionProbe.cosine(alone[index], fp32[index]), toReference = PrecisionProbe.cosine(alone[index], reference[index])
            worst = min(worst, toFP32, toReference)
            #expect(toFP32 >= PrecisionProbe.minimumCosine && toReference >= PrecisionProbe.minimumCosine, "text \(index): \(toFP32), \(toReference)")
            #expect(alone[index] != fp32[index], "text \(index): bf16 changed nothing, so it did not run")
        }
        #expect(embedder.embed(texts) == alone, "a text's bf16 embedding does not depend on its batch")
        print("bf16 against fp32 and the reference: worst cosine \(worst) over \(texts.count) texts")
    }

    /// The zero-shot scores' best label for each parity text is the same in bf16 as in fp32.
    @Test(.enabled(if: bf16)) func theBestLabelOfEachParityTextIsUnchanged() throws {
        let labels = ["christmas", "space", "murder", "dog", "sport", "music", "war", "food"]
        let texts = (try BertParityTests.json("minilm_embeddings.json")["texts"] as! [String]).filter { !$0.isEmpty }
        func best(_ model: BertModel) throws -> [Int] {
            try ZeroShotScorer(pool: EncoderPool(model: model, workers: 2, batchSize: 4), labels: labels).score(texts).map { row in row.indices.max { row[$0] < row[$1] }! }
        }
        #expect(try best(Self.minilmBF16.get()) == best(BertParityTests.minilm.get()))
    }

    /// int8 is checked against a looser bound than the issue's, onnxruntime's dynamic int8 model's
    /// accuracy (0.984 at worst on the benchmark's texts): it is offered, and ``Precision/automatic``
    /// takes it only where it meets ``PrecisionProbe/minimumCosine``. Its worst fixture is the
    /// empty text (two tokens, so no averaging of the rounding over many).
    @Test(.enabled(if: int8)) func int8EmbeddingsStayWithin002OfFP32AndDoNotDependOnTheBatch() throws {
        let exact = try BertParityTests.minilm.get(), reduced = try Self.minilmInt8.get()
        #expect(reduced.precision == .int8 && reduced.identity.hasSuffix(":int8"))
        let texts = try BertParityTests.json("minilm_embeddings.json")["texts"] as! [String]
        let fp32 = SentenceEmbedder(encoder: BertEncoder(model: exact)).embed(texts)
        let embedder = SentenceEmbedder(encoder: BertEncoder(model: reduced))
        let alone = texts.map { embedder.embed([$0])[0] }
        let cosines = texts.indices.map { PrecisionProbe.cosine(alone[$0], fp32[$0]) }
        #expect(cosines.allSatisfy { $0 >= 0.98 }, "\(cosines)")
        #expect(zip(alone, fp32).contains { $0 != $1 }, "int8 changed nothing, so it did not run")
        #expect(embedder.embed(texts) == alone, "a text's int8 embedding does not depend on its batch")
        print("int8 against fp32: worst cosine \(cosines.min()!) over \(texts.count) texts")
    }

    @Test(.enabled(if: bf16 || int8)) func automaticKeepsTheFastestPrecisionWithinTheBound() throws {
        let exact = try BertParityTests.minilm.get()
        var expected = Precision.fp32
        if Self.bf16, PrecisionProbe.worstCosine(exact, try Self.minilmBF16.get()) >= PrecisionProbe.minimumCosine { expected = .bf16 }
        if Self.int8, PrecisionProbe.worstCosine(exact, try Self.minilmInt8.get()) >= PrecisionProbe.minimumCosine { expected = .int8 }
        #expect(try BertModel.load(folder: ModelDirectory.locate(), precision: .automatic).precision == expected)
        #expect(try BertModel.load(folder: ModelDirectory.locate(), precision: .fp32).precision == .fp32)
        if Self.bf16 { #expect(expected != .fp32, "all-MiniLM-L6-v2 meets the bound in bf16") }
    }

    @Test(.enabled(if: !bf16)) func withoutBF16InstructionsBF16IsRefused() throws {
        if !Self.int8 { #expect(try BertModel.load(folder: ModelDirectory.locate(), precision: .automatic).precision == .fp32) }
        do {
            _ = try Precision(parsing: "bf16", place: "--precision")
            Issue.record("bf16 was accepted on a CPU without bf16 dot products")
        } catch let error as FlowError {
            #expect(error.message == "--precision bf16 needs a CPU with bf16 dot products (AVX512_BF16), which this one lacks; use fp32 or auto")
        }
    }

    @Test func anUnknownPrecisionIsOneSentence() throws {
        do {
            _ = try Precision(parsing: "fp16", place: "--precision")
            Issue.record("fp16 was accepted")
        } catch let error as FlowError {
            #expect(error.message == "--precision \"fp16\" is not a precision; use one of fp32, bf16, int8, auto")
        } catch { Issue.record("\(error)") }
        #expect(try Precision(parsing: "auto", place: "precision") == .automatic)
    }
}
