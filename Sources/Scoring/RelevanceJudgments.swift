import Flow
import Foundation

/// Relevance judgments per label, keyed by the label's field name (``ClassificationField``): from
/// a CSV of `document_id,relevance` (with a `label` column when it judges several labels), or
/// complete judgments from a field of the documents (relevant when it holds the label).
public struct RelevanceJudgments {
    public private(set) var byField: [String: [DocumentID: Int]] = [:]
    /// Rows or lines that could not be read, by line number.
    public private(set) var rejectedLines: [Int] = []

    /// Reads `path`, a CSV whose header names `document_id` and `relevance` (a whole number;
    /// above 0 is relevant) and perhaps `label`; without a label column it judges `labels`' only one.
    public init(csv path: String, labels: [String]) throws {
        guard let data = FileManager.default.contents(atPath: path), data.count <= JSONObjectLines.maximumBytes else {
            throw FlowError(.missingInput, "cannot read the judgments \(path); give an existing CSV of document_id,relevance")
        }
        let lines = String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        let header = (lines.first ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let idColumn = header.firstIndex(of: "document_id"), let relevanceColumn = header.firstIndex(of: "relevance") else {
            throw FlowError(.invalidJob, "the judgments \(path) have no document_id and relevance columns in their header; write document_id,relevance[,label]")
        }
        let labelColumn = header.firstIndex(of: "label")
        if labelColumn == nil && labels.count != 1 {
            throw FlowError(.invalidJob, "the judgments \(path) have no label column, so they judge one label, but \(labels.count) were given; give one --labels, or add a label column")
        }
        for (index, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > max(idColumn, relevanceColumn, labelColumn ?? 0), !cells[idColumn].isEmpty,
                  let relevance = Int(cells[relevanceColumn]), (-1_000...1_000).contains(relevance) else {
                rejectedLines.append(index + 1)
                continue
            }
            let field = ClassificationField.name(for: labelColumn.map { cells[$0] } ?? labels[0])
            byField[field, default: [:]][DocumentID(cell: cells[idColumn])] = relevance
        }
    }

    /// Judgments from a field: a document is relevant (1) when its `field` (a string or a list of
    /// strings) holds the label, case aside (a leading `#` of the label too), else irrelevant (0).
    /// Every document is judged, unless `emptyIsUnjudged`: then one whose field is missing or holds
    /// no text is unjudged (a collection tagged only in part, such as the keywords of the TMDB
    /// movies here, which stop in 2016).
    public init(field: String, of documents: JSONObjectLines, labels: [String], emptyIsUnjudged: Bool = false) {
        rejectedLines = documents.rejectedLines
        let wanted = labels.map { (field: ClassificationField.name(for: $0), text: Self.comparable($0)) }
        for (line, object) in documents.objects {
            guard let id = object["id"].flatMap(DocumentID.init(json:)) else {
                rejectedLines.append(line)
                continue
            }
            let values = Set(((object[field] as? [Any]) ?? object[field].map { [$0] } ?? []).compactMap { ($0 as? String).map(Self.comparable) })
                .subtracting([""])
            if emptyIsUnjudged && values.isEmpty { continue }
            for label in wanted {
                byField[label.field, default: [:]][id] = values.contains(label.text) ? 1 : 0
            }
        }
        rejectedLines.sort()
    }

    private static func comparable(_ text: String) -> String {
        var lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        if lowered.hasPrefix("#") { lowered.removeFirst() }
        return lowered
    }
}
