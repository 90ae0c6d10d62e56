import CBLAS
import Flow
import Foundation

/// Runs a ``BertModel`` on batches of token ids, with its own scratch buffers (one encoder per
/// worker thread). Matrix products go to ``MatrixProducts`` (single-threaded); GELU and the
/// softmax's exponentials to ``VectorMath``; the rest (embeddings, layer norm) is plain Swift
/// over contiguous rows.
public final class BertEncoder {
    public let model: BertModel
    private var hidden: [Float] = [], queryKeyValue: [Float] = []
    private var context: [Float] = [], scratch: [Float] = [], intermediate: [Float] = [], scores: [Float] = [], keysTransposed: [Float] = []
    /// A bf16 or int8 layer's input, converted once for all of the batch's sequences.
    private var reducedInput = MatrixProducts.ReducedInput()
    private var sequenceLengths: [Int] = []
    private var paddedLength = 0

    public init(model: BertModel) {
        self.model = model
        openblas_set_num_threads(1)
    }

    /// Floating-point operations (matrix products only) of every batch so far, for GFLOP/s.
    public private(set) var totalFlops: Double = 0

    /// The last hidden states of a batch, `[batch × length × hidden]` row-major, where `length` is
    /// the longest sequence; rows past a sequence's end are zero. `types` default to 0.
    public func hiddenStates(_ batch: [[Int32]], types: [[Int32]]? = nil) -> (states: [Float], length: Int) {
        let config = model.config
        let width = config.hiddenSize
        let length = batch.map(\.count).max() ?? 0
        let rows = batch.count * length
        resize(rows: rows, length: length)
        sequenceLengths = batch.map(\.count)
        paddedLength = length
        embed(batch, types: types, length: length)
        for layer in model.layers {
            linear(layer.queryKeyValue, hidden, into: &queryKeyValue, rows: rows)
            attention(batch.map(\.count), length: length)
            linear(layer.attentionOutput, context, into: &scratch, rows: rows)
            addAndNormalize(&scratch, residual: hidden, norm: layer.attentionNorm, rows: rows, into: &hidden)
            linear(layer.intermediate, hidden, into: &intermediate, rows: rows)
            gelu(&intermediate, count: rows * config.intermediateSize)
            linear(layer.output, intermediate, into: &scratch, rows: rows)
            addAndNormalize(&scratch, residual: hidden, norm: layer.outputNorm, rows: rows, into: &hidden)
        }
        for (index, sequence) in batch.enumerated() where sequence.count < length {
            let start = (index * length + sequence.count) * width
            for position in start..<((index + 1) * length * width) { hidden[position] = 0 }
        }
        return (Array(hidden[0..<(rows * width)]), length)
    }

    /// Logits of the sequence-classification head for each sequence of the batch (`[batch × labels]`).
    public func classify(_ batch: [[Int32]], types: [[Int32]]) -> [[Float]] {
        guard let pooler = model.pooler, let classifier = model.classifier else { return [] }
        let (states, length) = hiddenStates(batch, types: types)
        let width = model.config.hiddenSize
        return batch.indices.map { index in
            let first = Array(states[(index * length * width)..<(index * length * width + width)])
            let pooled = Self.apply(pooler, first).map { tanhf($0) }
            return Self.apply(classifier, pooled)
        }
    }

    private static func apply(_ layer: BertModel.Linear, _ input: [Float]) -> [Float] {
        var output = layer.bias
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { layer.accumulate(x.baseAddress!, rows: 1, into: $0.baseAddress!) }
        }
        return output
    }

    private func resize(rows: Int, length: Int) {
        let width = model.config.hiddenSize
        for buffer in [\BertEncoder.hidden, \.context, \.scratch] where self[keyPath: buffer].count < rows * width {
            self[keyPath: buffer] = Array(repeating: 0, count: rows * width)
        }
        if queryKeyValue.count < rows * 3 * width { queryKeyValue = Array(repeating: 0, count: rows * 3 * width) }
        if intermediate.count < rows * model.config.intermediateSize { intermediate = Array(repeating: 0, count: rows * model.config.intermediateSize) }
        if scores.count < length * length { scores = Array(repeating: 0, count: length * length) }
        let keys = length * width / model.config.heads
        if keysTransposed.count < keys { keysTransposed = Array(repeating: 0, count: keys) }
    }

    private func embed(_ batch: [[Int32]], types: [[Int32]]?, length: Int) {
        let width = model.config.hiddenSize
        for (index, sequence) in batch.enumerated() {
            for position in 0..<length {
                let row = (index * length + position) * width
                guard position < sequence.count else {
                    for column in 0..<width { hidden[row + column] = 0 }
                    continue
                }
                let word = Int(sequence[position]) * width, place = position * width
                let type = Int(types?[index][position] ?? 0) * width
                for column in 0..<width {
                    hidden[row + column] = model.wordEmbeddings[word + column] + model.positionEmbeddings[place + column] + model.typeEmbeddings[type + column]
                }
            }
        }
        hidden.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<(batch.count * length) { layerNorm(buffer.baseAddress! + row * width, width: width, norm: model.embeddingNorm) }
        }
    }

    /// `output = input Wᵀ + b` for the rows of each sequence. One product per sequence, never one
    /// over the whole batch, so that a text's embedding does not depend on the batch it is in.
    private func linear(_ layer: BertModel.Linear, _ input: [Float], into output: inout [Float], rows: Int) {
        guard rows > 0 else { return }
        output.withUnsafeMutableBufferPointer { out in
            for row in 0..<rows {
                (out.baseAddress! + row * layer.outputs).update(from: layer.bias, count: layer.outputs)
            }
            input.withUnsafeBufferPointer { x in
                if case .fp32 = layer.weight {
                    for (index, count) in sequenceLengths.enumerated() where count > 0 {
                        let first = index * paddedLength
                        layer.accumulate(x.baseAddress! + first * layer.inputs, rows: count, into: out.baseAddress! + first * layer.outputs)
                    }
                    return
                }
                reducedInput.prepare(x.baseAddress!, rows: rows, inputs: layer.inputs, outputs: layer.outputs, for: layer.weight)
                for (index, count) in sequenceLengths.enumerated() where count > 0 {
                    let first = index * paddedLength
                    layer.accumulate(&reducedInput, firstRow: first, rows: count, into: out.baseAddress! + first * layer.outputs)
                }
            }
            for count in sequenceLengths { totalFlops += 2 * Double(count) * Double(layer.outputs) * Double(layer.inputs) }
        }
    }

    /// Self-attention of every sequence and head over its own tokens only (padding is masked out
    /// by never being looked at), into `context`.
    private func attention(_ lengths: [Int], length: Int) {
        let width = model.config.hiddenSize
        let heads = model.config.heads
        let size = width / heads
        let scale = 1 / Float(size).squareRoot()
        let stride = 3 * width
        queryKeyValue.withUnsafeBufferPointer { qkv in
            context.withUnsafeMutableBufferPointer { c in
                scores.withUnsafeMutableBufferPointer { s in
                    keysTransposed.withUnsafeMutableBufferPointer { keys in
                        for (index, count) in lengths.enumerated() where count > 0 {
                            let rows = qkv.baseAddress! + index * length * stride
                            let output = c.baseAddress! + index * length * width
                            for head in 0..<heads {
                                let q = rows + head * size, k = rows + width + head * size, v = rows + 2 * width + head * size
                                for token in 0..<count {
                                    for column in 0..<size { keys[column * count + token] = k[token * stride + column] }
                                }
                                MatrixProducts.multiply(rows: count, columns: count, inner: size, q, stride, keys.baseAddress!, count, into: s.baseAddress!, count)
                                for row in 0..<count { VectorMath.softmax(s.baseAddress! + row * count, count: count, scale: scale) }
                                MatrixProducts.multiply(rows: count, columns: size, inner: count, s.baseAddress!, count, v, stride, into: output + head * size, width)
                            }
                            totalFlops += 4 * Double(count) * Double(count) * Double(width)
                        }
                    }
                }
            }
        }
    }

    /// GELU with the error function (see ``VectorMath``).
    private func gelu(_ values: inout [Float], count: Int) {
        values.withUnsafeMutableBufferPointer { VectorMath.gelu(UnsafeMutableBufferPointer(rebasing: $0[0..<count])) }
    }

    /// `destination = LayerNorm(sum + residual)`, row by row.
    private func addAndNormalize(_ sum: inout [Float], residual: [Float], norm: BertModel.LayerNorm, rows: Int, into destination: inout [Float]) {
        let width = model.config.hiddenSize
        sum.withUnsafeMutableBufferPointer { s in
            residual.withUnsafeBufferPointer { r in
                for index in 0..<(rows * width) { s[index] += r[index] }
            }
            for row in 0..<rows { layerNorm(s.baseAddress! + row * width, width: width, norm: norm) }
        }
        swap(&sum, &destination)
    }

    private func layerNorm(_ row: UnsafeMutablePointer<Float>, width: Int, norm: BertModel.LayerNorm) {
        norm.gamma.withUnsafeBufferPointer { gamma in
            norm.beta.withUnsafeBufferPointer { beta in
                VectorMath.layerNorm(row, width: width, gamma: gamma.baseAddress!, beta: beta.baseAddress!, epsilon: model.config.layerNormEpsilon)
            }
        }
    }
}
