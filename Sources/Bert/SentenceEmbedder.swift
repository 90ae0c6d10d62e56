/// Sentence embeddings as sentence-transformers makes them for all-MiniLM-L6-v2: the mean of the
/// last hidden states over the real tokens, scaled to length 1.
public struct SentenceEmbedder {
    public let encoder: BertEncoder

    public init(encoder: BertEncoder) { self.encoder = encoder }

    /// Embeds texts as one batch (padded to the longest).
    public func embed(_ texts: [String]) -> [[Float]] {
        embed(tokens: texts.map(encoder.model.tokenizer.encode))
    }

    /// Embeds already tokenised sequences as one batch.
    public func embed(tokens batch: [[Int32]]) -> [[Float]] {
        meanPooled(batch).map(Self.normalized)
    }

    /// The mean of each sequence's last hidden states over its tokens, not normalised.
    public func meanPooled(_ batch: [[Int32]]) -> [[Float]] {
        let (states, length) = encoder.hiddenStates(batch)
        let width = encoder.model.dimension
        return batch.enumerated().map { index, sequence in
            var sum = [Float](repeating: 0, count: width)
            for position in 0..<sequence.count {
                let row = (index * length + position) * width
                for column in 0..<width { sum[column] += states[row + column] }
            }
            let count = Float(max(sequence.count, 1))
            return sum.map { $0 / count }
        }
    }

    static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 1e-12 ? vector.map { $0 / norm } : vector
    }
}
