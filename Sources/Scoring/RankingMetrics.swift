import Foundation

/// How well one label's ranking of documents agrees with relevance judgments: NDCG@k (gain
/// 2^relevance − 1, discount log2(rank + 1), the ideal from every judged candidate), its condensed
/// form (the ranking with the unjudged documents left out, for sparse judgments), average
/// precision, its condensed form, and R-precision (a document is relevant when its relevance is
/// above 0).
public struct RankingMetrics: Sendable, Equatable {
    /// Documents ranked.
    public var candidates: Int
    /// Of them, those with a judgment.
    public var judged: Int
    /// Of them, those judged relevant.
    public var relevant: Int
    public var ndcg: Double
    public var condensedNDCG: Double
    /// Average precision over the whole ranking (nil without a relevant document).
    public var averagePrecision: Double?
    /// Average precision over the ranking with the unjudged documents left out (nil without a
    /// relevant document).
    public var condensedAveragePrecision: Double?
    /// Precision at rank `relevant` (nil without a relevant document).
    public var rPrecision: Double?

    /// The metrics of `ranking`, best first, where each entry is the document's judged relevance
    /// (nil: not judged).
    public init(ranking: [Int?], k: Int) {
        candidates = ranking.count
        let judgedRelevances = ranking.compactMap { $0 }
        judged = judgedRelevances.count
        relevant = judgedRelevances.filter { $0 > 0 }.count
        let ideal = Self.dcg(judgedRelevances.sorted(by: >).prefix(k))
        ndcg = ideal > 0 ? Self.dcg(ranking.prefix(k).map { $0 ?? 0 }) / ideal : 0
        condensedNDCG = ideal > 0 ? Self.dcg(judgedRelevances.prefix(k)) / ideal : 0
        guard relevant > 0 else {
            averagePrecision = nil
            condensedAveragePrecision = nil
            rPrecision = nil
            return
        }
        averagePrecision = Self.averagePrecision(ranking, relevant: relevant)
        condensedAveragePrecision = Self.averagePrecision(judgedRelevances.map(Optional.some), relevant: relevant)
        let foundAtR = ranking.prefix(relevant).filter { ($0 ?? 0) > 0 }.count
        rPrecision = Double(foundAtR) / Double(relevant)
    }

    /// The mean, over the `relevant` relevant documents, of the precision at each one's rank.
    static func averagePrecision(_ ranking: [Int?], relevant: Int) -> Double {
        var found = 0
        var precisionSum = 0.0
        for (index, relevance) in ranking.enumerated() where (relevance ?? 0) > 0 {
            found += 1
            precisionSum += Double(found) / Double(index + 1)
        }
        return precisionSum / Double(relevant)
    }

    /// Discounted cumulative gain of relevances in rank order.
    static func dcg(_ relevances: some Sequence<Int>) -> Double {
        var total = 0.0
        for (index, relevance) in relevances.enumerated() where relevance > 0 {
            total += (pow(2, Double(min(relevance, 60))) - 1) / log2(Double(index + 2))
        }
        return total
    }
}
