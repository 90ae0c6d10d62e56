import Bert
import Flow

/// A document with its score for each label, in the labels' order.
public struct ScoredDocument: Sendable {
    public var idJSON: String
    /// The labels scored (the same array for every document of a run).
    public var labels: [String]
    public var scores: [Double]
    /// The model that made the scores (see ``BertModel/identity``).
    public var model: String
}

/// Scores each batch of documents against the labels on the encoder pool's workers and emits the
/// results in input order. It works through one batch at a time, so a slow model slows the source
/// through the bounded channel before it (backpressure) instead of queueing without limit.
///
/// A document that already holds every label's score made by the same model is passed over, so a
/// re-run after a restore, or with one new hashtag, scores only what is missing.
public final class ScoreOperator: Operator {
    private let scorer: ZeroShotScorer
    private let scored, skipped: Counter
    private let fields: Set<String>

    public init(scorer: ZeroShotScorer, context: SubtaskContext) throws {
        self.scorer = scorer
        scored = context.metrics.counter("documents scored")
        skipped = context.metrics.counter("documents already scored")
        fields = Set(try ClassificationField.names(for: scorer.labels))
    }

    public func process(_ batch: [Document], into output: Collector<ScoredDocument>) {
        let model = scorer.pool.model.identity
        let needed = batch.filter { $0.scoredBy != model || !fields.isSubset(of: $0.scoredFields) }
        let scores = scorer.score(needed.map(\.text))
        for (document, row) in zip(needed, scores) {
            output.emit(ScoredDocument(idJSON: document.idJSON, labels: scorer.labels, scores: row, model: model))
        }
        scored.add(needed.count)
        skipped.add(batch.count - needed.count)
    }
}
