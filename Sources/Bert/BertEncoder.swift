import CBLAS
import Flow
import Foundation

/// Runs a ``BertModel`` on batches of token ids, with its own scratch buffers (one encoder per
/// worker thread). Matrix products go to single-threaded BLAS `sgemm`; the rest (embeddings,
/// softmax with the padding mask, exact GELU, layer norm) is plain Swift over contiguous rows.
public final class BertEncoder {
    public let model: BertModel
    private var hidden: [Float] = [], queryKeyValue: [Float] = []
    private var context: [Float] = [], scratch: [Float] = [], intermediate: [Float] = [], scores: [Float] = []
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
        (0..<layer.outputs).map { row in
            var sum = layer.bias[row]
            for column in 0..<layer.inputs { sum += layer.weight[column * layer.outputs + row] * input[column] }
            return sum
        }
    }

    private func resize(rows: Int, length: Int) {
        let width = model.config.hiddenSize
        for buffer in [\BertEncoder.hidden, \.context, \.scratch] where self[keyPath: buffer].count < rows * width {
            self[keyPath: buffer] = Array(repeating: 0, count: rows * width)
        }
        if queryKeyValue.count < rows * 3 * width { queryKeyValue = Array(repeating: 0, count: rows * 3 * width) }
        if intermediate.count < rows * model.config.intermediateSize { intermediate = Array(repeating: 0, count: rows * model.config.intermediateSize) }
        if scores.count < length * length { scores = Array(repeating: 0, count: length * length) }
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
    /// over the whole batch: BLAS may sum in another order for another number of rows, and a
    /// text's embedding must not depend on the batch it happens to be in.
    private func linear(_ layer: BertModel.Linear, _ input: [Float], into output: inout [Float], rows: Int) {
        guard rows > 0 else { return }
        output.withUnsafeMutableBufferPointer { out in
            for row in 0..<rows {
                (out.baseAddress! + row * layer.outputs).update(from: layer.bias, count: layer.outputs)
            }
            input.withUnsafeBufferPointer { x in
                layer.weight.withUnsafeBufferPointer { w in
                    for (index, count) in sequenceLengths.enumerated() where count > 0 {
                        let first = index * paddedLength
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), Int32(layer.outputs), Int32(layer.inputs),
                                    1, x.baseAddress! + first * layer.inputs, Int32(layer.inputs), w.baseAddress, Int32(layer.outputs),
                                    1, out.baseAddress! + first * layer.outputs, Int32(layer.outputs))
                        totalFlops += 2 * Double(count) * Double(layer.outputs) * Double(layer.inputs)
                    }
                }
            }
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
                    for (index, count) in lengths.enumerated() where count > 0 {
                        let rows = qkv.baseAddress! + index * length * stride
                        let output = c.baseAddress! + index * length * width
                        for head in 0..<heads {
                            let q = rows + head * size, k = rows + width + head * size, v = rows + 2 * width + head * size
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(count), Int32(size), scale,
                                        q, Int32(stride), k, Int32(stride), 0, s.baseAddress, Int32(count))
                            for row in 0..<count { softmax(s.baseAddress! + row * count, count: count) }
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(count), Int32(size), Int32(count), 1,
                                        s.baseAddress, Int32(count), v, Int32(stride), 0, output + head * size, Int32(width))
                        }
                        totalFlops += 4 * Double(count) * Double(count) * Double(width)
                    }
                }
            }
        }
    }

    private func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var largest = -Float.infinity
        for index in 0..<count { largest = max(largest, row[index]) }
        for index in 0..<count { row[index] -= largest }
        VectorMath.expOfNonPositive(UnsafeMutableBufferPointer(start: row, count: count))
        var sum: Float = 0
        for index in 0..<count { sum += row[index] }
        let inverse = 1 / sum
        for index in 0..<count { row[index] *= inverse }
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
        var mean: Float = 0
        for index in 0..<width { mean += row[index] }
        mean /= Float(width)
        var variance: Float = 0
        for index in 0..<width {
            let centered = row[index] - mean
            variance += centered * centered
        }
        variance /= Float(width)
        let inverse = 1 / (variance + model.config.layerNormEpsilon).squareRoot()
        for index in 0..<width { row[index] = (row[index] - mean) * inverse * norm.gamma[index] + norm.beta[index] }
    }
}
