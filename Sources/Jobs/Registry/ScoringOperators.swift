import Bert
import Flow
import Foundation
import Operators

/// The registry entries of document scoring: a JSON Lines document source and the zero-shot
/// `score` operator.
enum ScoringOperators {
    static let documents = OperatorRegistry.Entry(
        name: "documents", summary: "reads documents from a JSON Lines file (id field, one or more text fields joined)",
        takes: [.none], gives: .documents
    ) { _, settings, build in
        let path = try settings.requiredString("path")
        let lines = DocumentLines(idField: settings.string("id", default: "id"),
                                  textFields: settings.string("text", default: "text").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if !build.checkOnly && !FileManager.default.fileExists(atPath: path) {
            throw FlowError(.missingInput, "\(settings.location): the documents file \(path) does not exist; give an existing JSON Lines file")
        }
        return .documents(build.job.source("documents \(path)", stateName: "documents") { output, context in
            try DocumentFileSource(path: path, lines: lines, output: output, context: context)
        })
    }

    static let score = OperatorRegistry.Entry(
        name: "score", summary: "zero-shot scores of documents against labels (hashtags or words) with a BERT model, batched on a worker pool",
        takes: [.documents], gives: .scoredDocuments
    ) { stream, settings, _ in
        guard case .documents(let documents) = stream else { preconditionFailure("score applied to \(stream.kind)") }
        let labels = try settings.requiredString("labels").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !labels.isEmpty else { throw FlowError(.invalidJob, "\(settings.location): score needs at least one label") }
        let template = settings.string("template", default: ZeroShotScorer.defaultTemplate)
        guard template.contains("{}") else { throw FlowError(.invalidJob, "\(settings.location): the template \"\(template)\" has no {} for the label") }
        let model = settings.string("model", default: "")
        let workers = try settings.integer("workers", default: 0, range: 0...256)
        let batchSize = try settings.integer("batch-size", default: 32, range: 1...4096)
        let scored = documents.apply("score \(labels.count) labels (batches of \(batchSize))", stateName: "score") { output, context in
            let bert = try BertModel(folder: try ModelDirectory.locate(model.isEmpty ? nil : model))
            let scorer = try ZeroShotScorer(pool: EncoderPool(model: bert, workers: workers, batchSize: batchSize), labels: labels, template: template)
            return try ScoreOperator(output: output, scorer: scorer, context: context)
        }
        return .scoredDocuments(scored, labels: labels)
    }
}
