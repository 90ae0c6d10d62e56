import Bert
import Flow

/// A document with its score for each label, in the labels' order.
public struct ScoredDocument: Sendable {
    public var idJSON: String
    /// The labels scored (the same array for every document of a run).
    public var labels: [String]
    public var scores: [Double]
}

/// Scores each batch of documents against the labels on the encoder pool's workers and emits the
/// results in input order. It works through one batch at a time, so a slow model slows the source
/// through the bounded channel before it (backpressure) instead of queueing without limit.
public final class ScoreOperator: ElementReceiver {
    private let output: Output<ScoredDocument>
    private let scorer: ZeroShotScorer
    private var scored: TalliedCounter
    private let context: SubtaskContext

    public init(output: Output<ScoredDocument>, scorer: ZeroShotScorer, context: SubtaskContext) throws {
        self.output = output
        self.scorer = scorer
        self.context = context
        scored = TalliedCounter(context.metrics.counter("documents scored"))
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            scored.add(try reader.readInt())
        }
    }

    public func receive(_ batch: [Document]) throws {
        let scores = scorer.score(batch.map(\.text))
        for (document, row) in zip(batch, scores) { output.emit(ScoredDocument(idJSON: document.idJSON, labels: scorer.labels, scores: row)) }
        scored.add(batch.count)
        try output.flush()
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(scored.total)
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}

/// Field names for scores: `classification_` and the label lowercased, with every character other
/// than a–z, 0–9 and `_` dropped (`#MerryChristmas` → `classification_merrychristmas`).
public enum ClassificationField {
    public static func name(for label: String) -> String {
        "classification_" + String(label.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }.map(Character.init))
    }
}
