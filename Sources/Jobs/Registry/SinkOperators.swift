/// The `sink` step: one name, and the sink that fits the kind of stream it ends.
enum SinkOperators {
    static let sink = OperatorRegistry.Entry(
        name: "sink",
        summary: "ends the pipeline: ranked counts to a console table (path -), a csv or jsonl file, or a Redis sorted set (redis: URL); "
            + "every count per window to a file; scored documents to a JSON Lines file or an index (partial updates); documents to an index",
        variants: [TrendingOperators.rankedCountsSink, TrendingOperators.countsSink, ScoringOperators.scoredDocumentsSink, ScoringOperators.documentsSink]
    )
}
