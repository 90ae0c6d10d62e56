import ArgumentParser
import Flow
import Foundation
import Operators
import Scoring

/// `flowrun evaluate`: how well scores rank documents for each label against relevance
/// judgments: NDCG@k, condensed NDCG@k, MAP and R-precision per label, and their means.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure rankings: NDCG@k, condensed NDCG@k, average precision and R-precision of each label's scores against judgments.",
        discussion: """
        Each label's candidates are the documents with a score for it (of those that --where keeps), ranked by score, \
        highest first, ties by id. Judgments come from a CSV (--judgments: document_id,relevance, and a label column \
        when it judges several labels) or from a field of the documents (--relevant-field keywords: relevant when the \
        field holds the label; every document is judged, or with --unjudged-when-empty those whose field holds a \
        value). NDCG's ideal ranking is that of the judged candidates; condensed NDCG and condensed MAP leave the \
        unjudged candidates out of the ranking, for sparse judgments.
        """
    )

    @Option(help: "JSON Lines of scores: {\"id\":…,\"label\":…,\"score\":…} (flowrun score) or {\"id\":…,\"classification_<label>\":…} (the classification job).")
    var scores: String

    @Option(help: "Comma-separated labels to evaluate, e.g. christmas,dog.")
    var labels: String

    @Option(help: "A CSV of judgments: document_id,relevance[,label] (relevance a whole number, above 0 relevant).")
    var judgments: String?

    @Option(help: "JSON Lines of the documents, for --relevant-field and --where.")
    var documents: String?

    @Option(help: "Judge from this field of the documents: relevant when it holds the label (e.g. keywords).")
    var relevantField: String?

    @Flag(help: "With --relevant-field: a document whose field is missing or empty is unjudged, not irrelevant (for fields that tag only part of the documents).")
    var unjudgedWhenEmpty = false

    @Option(help: "Keep only the documents whose FIELD holds VALUE, e.g. genres=Family (needs --documents).")
    var `where`: String?

    @Option(help: "The cut-off of NDCG.")
    var k: Int = 10

    @Option(help: "Also write the figures as JSON to this file.")
    var json: String?

    func run() throws {
        try reportingErrors {
            let labelList = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !labelList.isEmpty else { throw FlowError(.invalidJob, "--labels names no label; write for example --labels christmas,dog") }
            guard (1...10_000).contains(k) else { throw FlowError(.invalidJob, "--k \(k) is out of range; use 1 to 10000") }
            guard (judgments == nil) != (relevantField == nil) else {
                throw FlowError(.invalidJob, "give the judgments either as --judgments FILE.csv or as --relevant-field FIELD with --documents, one of the two")
            }
            let documentLines = try documents.map { try JSONObjectLines(path: $0, what: "documents") }
            if unjudgedWhenEmpty && relevantField == nil {
                throw FlowError(.invalidJob, "--unjudged-when-empty applies to judgments from a field; give --relevant-field FIELD with --documents, or leave it out")
            }
            if documentLines == nil && (relevantField != nil || `where` != nil) {
                throw FlowError(.invalidJob, "--relevant-field and --where read the documents; give them with --documents FILE.jsonl")
            }
            let scoreTable = ScoreTable(try JSONObjectLines(path: scores, what: "scores"))
            let judged = try relevantField.map { RelevanceJudgments(field: $0, of: documentLines!, labels: labelList, emptyIsUnjudged: unjudgedWhenEmpty) }
                ?? RelevanceJudgments(csv: judgments!, labels: labelList)
            let kept = try `where`.map { try Self.kept(documentLines!, where: $0) }
            report(skipped: scoreTable.rejectedLines, in: scores, what: "scores")
            report(skipped: judged.rejectedLines, in: judgments ?? documents ?? "", what: judgments == nil ? "documents" : "judgments")

            var rows: [(label: String, metrics: RankingMetrics)] = []
            for label in labelList {
                let field = ClassificationField.name(for: label)
                var scored = scoreTable.scores[field] ?? [:]
                if let kept { scored = scored.filter { kept.contains($0.key) } }
                guard !scored.isEmpty else {
                    throw FlowError(.invalidJob, "\(scores) holds no score for the label \(TerminalText.quoted(label)) (field \(field))\(kept == nil ? "" : " among the documents --where keeps"); check the label")
                }
                let ranking = scored.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                let relevance = judged.byField[field] ?? [:]
                rows.append((label, RankingMetrics(ranking: ranking.map { relevance[$0.key] }, k: k)))
            }
            print(EvaluationTable(k: k, rows: rows).text, terminator: "")
            if let json {
                do { try EvaluationTable(k: k, rows: rows).json.write(toFile: json, atomically: true, encoding: .utf8) } catch {
                    throw FlowError(.output, "cannot write --json \(json) (\(error.localizedDescription)); check that its folder exists and is writable")
                }
            }
        }
    }

    /// The ids of the documents whose field holds the value of `FIELD=VALUE`.
    static func kept(_ documents: JSONObjectLines, where condition: String) throws -> Set<DocumentID> {
        guard let equals = condition.firstIndex(of: "="), equals != condition.startIndex else {
            throw FlowError(.invalidJob, "--where \(TerminalText.quoted(condition)) is not FIELD=VALUE; write for example --where genres=Family")
        }
        let field = String(condition[..<equals]), value = String(condition[condition.index(after: equals)...])
        var ids: Set<DocumentID> = []
        for (_, object) in documents.objects {
            guard let id = object["id"].flatMap(DocumentID.init(json:)) else { continue }
            let values = (object[field] as? [Any]) ?? object[field].map { [$0] } ?? []
            if values.contains(where: { ($0 as? String) == value || ($0 as? NSNumber)?.stringValue == value }) { ids.insert(id) }
        }
        return ids
    }

    private func report(skipped lines: [Int], in path: String, what: String) {
        guard let first = lines.first else { return }
        printError("flowrun: \(lines.count) lines of \(what) \(path) could not be read and were skipped (first: line \(first))")
    }
}

/// The figures of `flowrun evaluate`: a table for people, JSON for programs.
struct EvaluationTable {
    let k: Int
    let rows: [(label: String, metrics: RankingMetrics)]

    private var means: (ndcg: Double, condensed: Double, averagePrecision: Double?, condensedAveragePrecision: Double?, rPrecision: Double?) {
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let all = rows.map(\.metrics)
        return (mean(all.map(\.ndcg)) ?? 0, mean(all.map(\.condensedNDCG)) ?? 0, mean(all.compactMap(\.averagePrecision)),
                mean(all.compactMap(\.condensedAveragePrecision)), mean(all.compactMap(\.rPrecision)))
    }

    var text: String {
        let header = ["label", "candidates", "judged", "relevant", "NDCG@\(k)", "condensed", "MAP", "cond. MAP", "R-prec"]
        var lines = [header]
        for (label, metrics) in rows {
            lines.append([TerminalText.visible(String(label.prefix(30))), String(metrics.candidates), String(metrics.judged), String(metrics.relevant),
                          Self.figure(metrics.ndcg), Self.figure(metrics.condensedNDCG), Self.figure(metrics.averagePrecision),
                          Self.figure(metrics.condensedAveragePrecision), Self.figure(metrics.rPrecision)])
        }
        let mean = means
        lines.append(["mean of \(rows.count)", "", "", "", Self.figure(mean.ndcg), Self.figure(mean.condensed), Self.figure(mean.averagePrecision),
                      Self.figure(mean.condensedAveragePrecision), Self.figure(mean.rPrecision)])
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { cells in
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    var json: String {
        func number(_ value: Double?) -> String { value.map { String($0) } ?? "null" }
        let labels = rows.map { label, metrics in
            let name = String(decoding: (try? JSONSerialization.data(withJSONObject: label, options: [.fragmentsAllowed])) ?? Data("\"\"".utf8), as: UTF8.self)
            return "{\"label\": \(name), \"candidates\": \(metrics.candidates), \"judged\": \(metrics.judged), \"relevant\": \(metrics.relevant), "
                + "\"ndcg\": \(number(metrics.ndcg)), \"condensed_ndcg\": \(number(metrics.condensedNDCG)), "
                + "\"average_precision\": \(number(metrics.averagePrecision)), "
                + "\"condensed_average_precision\": \(number(metrics.condensedAveragePrecision)), \"r_precision\": \(number(metrics.rPrecision))}"
        }
        let mean = means
        return "{\"k\": \(k), \"labels\": [\(labels.joined(separator: ", "))], \"mean\": {\"ndcg\": \(number(mean.ndcg)), "
            + "\"condensed_ndcg\": \(number(mean.condensed)), \"map\": \(number(mean.averagePrecision)), "
            + "\"condensed_map\": \(number(mean.condensedAveragePrecision)), \"r_precision\": \(number(mean.rPrecision))}}\n"
    }

    private static func figure(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
}
