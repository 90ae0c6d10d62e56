import Flow
import Foundation

/// Scores documents against labels without training, in one of two ways, chosen by the model:
///
/// - An embedding model (all-MiniLM-L6-v2): the label itself (the template `{}`) is embedded
///   once; a document's semantic score is the cosine similarity of the two unit vectors mapped to
///   [0, 1] as `(1 + cos) / 2`, blended with the label's words in the document
///   (``LabelWordMatch``): `(1 − w) · semantic + w · lexical`, `w` the lexical weight (0.18 by
///   default; 0 for the cosine alone). The bare label and the blend rank better than a sentence
///   around the label ("This movie is about {}.") and than either part alone, measured on four
///   sets of labels (docs/decisions/0013).
/// - An NLI cross-encoder (a sequence-classification head with an entailment label): the
///   probability that the document entails the hypothesis, from the softmax over the
///   contradiction and entailment logits only, as the zero-shot pipeline computes it for
///   multi-label classification (each label on its own).
///
/// Labels are hashtags or words; a hashtag becomes words first (``HashtagWords``).
public final class ZeroShotScorer: Sendable {
    public enum Mode: Sendable { case embedding, entailment(entailment: Int, contradiction: Int) }

    public let pool: EncoderPool
    public let labels: [String]
    public let hypotheses: [String]
    public let mode: Mode
    /// The lexical part's weight in an embedding model's score.
    public let lexicalWeight: Double
    private let labelVectors: [[Float]]
    private let labelWords: [LabelWordMatch]

    /// The lexical weight used when none is given: the best of those measured (docs/decisions/0013).
    public static let defaultLexicalWeight = 0.18

    /// The hypothesis an NLI model is asked about: a sentence it can entail.
    public static let entailmentTemplate = "This movie is about {}."
    /// What an embedding model embeds for a label: the label's words alone.
    public static let embeddingTemplate = "{}"

    /// The template used when none is given: ``embeddingTemplate`` for an embedding model,
    /// ``entailmentTemplate`` for an NLI cross-encoder.
    public static func defaultTemplate(for model: BertModel) -> String {
        model.hasClassifier ? entailmentTemplate : embeddingTemplate
    }

    public init(pool: EncoderPool, labels: [String], template: String? = nil, lexicalWeight: Double = defaultLexicalWeight) throws {
        guard (0...1).contains(lexicalWeight) else {
            throw FlowError(.invalidJob, "the lexical weight \(lexicalWeight) is out of range; use 0 (the cosine alone) to 1 (the label's words alone)")
        }
        self.lexicalWeight = lexicalWeight
        labelWords = labels.map { LabelWordMatch(label: HashtagWords.words($0)) }
        let template = template ?? Self.defaultTemplate(for: pool.model)
        guard template.contains("{}") else {
            throw FlowError(.invalidJob, "the hypothesis template \"\(template)\" has no {} for the label; write for example \"This movie is about {}.\"")
        }
        self.pool = pool
        self.labels = labels
        hypotheses = labels.map { template.replacingOccurrences(of: "{}", with: HashtagWords.words($0)) }
        if pool.model.hasClassifier, let names = pool.model.config.labels {
            func index(_ prefix: String) -> Int? { names.first { $0.value.lowercased().hasPrefix(prefix) }?.key }
            guard let entailment = index("entail"), let contradiction = index("contra") else {
                throw FlowError(.invalidJob, "\(pool.model.folder) has a classification head without entailment and contradiction labels; give an NLI model or an embedding model")
            }
            mode = .entailment(entailment: entailment, contradiction: contradiction)
            labelVectors = []
        } else {
            mode = .embedding
            labelVectors = pool.embed(hypotheses)
        }
    }

    /// Each document's score for each label, `[document][label]`, in [0, 1].
    public func score(_ documents: [String]) -> [[Double]] {
        switch mode {
        case .embedding:
            let vectors = pool.embed(documents)
            return zip(vectors, documents).map { vector, document in
                let documentWords = lexicalWeight == 0 ? [] : LabelWordMatch.words(in: document)
                return zip(labelVectors, labelWords).map { label, words in
                    let semantic = Self.unitInterval(Self.dot(vector, label))
                    return lexicalWeight == 0 ? semantic : (1 - lexicalWeight) * semantic + lexicalWeight * words.share(ofWords: documentWords)
                }
            }
        case .entailment(let entailment, let contradiction):
            let tokenizer = pool.model.tokenizer
            var ids: [[Int32]] = [], types: [[Int32]] = []
            for document in documents {
                for hypothesis in hypotheses {
                    let pair = tokenizer.encode(document, pair: hypothesis)
                    ids.append(pair.ids)
                    types.append(pair.types)
                }
            }
            let probabilities = pool.map(ids, types: types) { encoder, batch, batchTypes in
                encoder.classify(batch, types: batchTypes!).map { logits in
                    let (e, c) = (Double(logits[entailment]), Double(logits[contradiction]))
                    return 1 / (1 + exp(c - e))
                }
            }
            return documents.indices.map { index in Array(probabilities[(index * labels.count)..<((index + 1) * labels.count)]) }
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    static func unitInterval(_ cosine: Float) -> Double { min(1, max(0, (1 + Double(cosine)) / 2)) }
}
