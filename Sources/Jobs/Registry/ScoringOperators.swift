import Bert
import Elasticsearch
import Flow
import Foundation
import Operators
import Redis
import Scoring

/// The kinds of stream the document steps take and give.
enum DocumentKinds {
    static let documents = RecordKind<DataStream<Document>>("documents")
    static let scoredDocuments = RecordKind<DataStream<ScoredDocument>>("scored documents")
}

/// The registry entries of document scoring: documents from a JSON Lines file or an
/// Elasticsearch/OpenSearch index, the zero-shot `score` operator, and the score sinks.
enum ScoringOperators {
    static let documents = OperatorRegistry.Entry(
        name: "documents", summary: "reads documents from a JSON Lines file or an index (http://HOST:PORT/INDEX): an id field and text fields joined",
        takes: PipelineEnds.start, gives: DocumentKinds.documents
    ) { _, settings, build in
        build.progressCounter = "documents"
        let path = try settings.requiredString("path")
        let idField = settings.string("id-field", default: "id")
        let textFields = settings.string("text", default: "text").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let sortField = settings.string("sort", default: "id")
        let pageSize = try settings.integer("page-size", default: 500, range: 1...10_000)
        let batch = try settings.integer("batch", default: 256, range: 1...100_000)
        let keepsSource = try settings.boolean("keep-source", default: false)
        let timeout = try settings.duration("timeout", default: "30s")
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            guard !keepsSource else { throw FlowError(.invalidJob, "keep-source reads whole documents from JSON Lines files only", at: settings.location) }
            var source = ElasticsearchDocumentSource.Settings(endpoint: try endpoint(path, settings.location, timeout: timeout))
            source.idField = idField
            source.textFields = textFields
            source.sortField = sortField
            source.pageSize = pageSize
            let chosen = source
            return build.job.source("documents of \(chosen.endpoint)", id: build.stepID) { context in
                ElasticsearchDocumentSource(settings: chosen, context: context)
            }
        }
        let lines = DocumentLines(idField: idField, textFields: textFields, keepsSource: keepsSource)
        if !build.checkOnly && !FileManager.default.fileExists(atPath: path) {
            throw FlowError(.missingInput, "the documents file \(path) does not exist; give an existing JSON Lines file", at: settings.location)
        }
        return build.job.source("documents \(path)", id: build.stepID) { context in
            DocumentFileSource(path: path, lines: lines, context: context, batchSize: batch)
        }
    }

    static let score = OperatorRegistry.Entry(
        name: "score", summary: "zero-shot scores of documents against labels (a list, or the top N of a Redis sorted set) with a BERT model, batched on a worker pool",
        takes: DocumentKinds.documents, gives: DocumentKinds.scoredDocuments
    ) { documents, settings, build in
        let labels = settings.string("labels", default: "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let redis = settings.string("redis", default: "")
        let top = try settings.integer("top", default: 20, range: 1...1000)
        let key = settings.string("redis-key", default: "hashtags")
        guard !labels.isEmpty || !redis.isEmpty else {
            throw FlowError(.invalidJob, "score needs labels, or a redis address to read the top \(top) hashtags from", at: settings.location)
        }
        let endpoint = labels.isEmpty ? try redisEndpoint(redis, settings.location) : nil
        do { _ = try ClassificationField.names(for: labels) } catch let error as FlowError { throw FlowError(error.code, error.message, at: settings.location, cause: error) }
        let template = settings.string("template").flatMap { $0.isEmpty ? nil : $0 }
        if let template, !template.contains("{}") {
            throw FlowError(.invalidJob, "the template \"\(template)\" has no {} for the label", at: settings.location)
        }
        let lexicalWeight = try settings.fraction("lexical-weight", default: ZeroShotScorer.defaultLexicalWeight)
        let model = settings.string("model", default: "")
        let workers = try settings.integer("workers", default: 0, range: 0...256)
        let batchSize = try settings.integer("batch-size", default: 32, range: 1...4096)
        let precision: Precision
        do {
            precision = try Precision(parsing: settings.string("precision", default: Precision.automatic.rawValue), place: "precision")
        } catch let error as FlowError { throw FlowError(error.code, error.message, at: settings.location, cause: error) }
        let description = endpoint.map { "the top \(top) of \(key) at \($0)" } ?? "\(labels.count) labels"
        return documents.apply("score \(description) (batches of \(batchSize))", id: build.stepID) { context in
            let chosen = try endpoint.map { try topLabels($0, key: key, count: top) } ?? labels
            _ = try ClassificationField.names(for: chosen)
            let bert = try BertModel.load(folder: try ModelDirectory.locate(model.isEmpty ? nil : model), precision: precision)
            let scorer = try ZeroShotScorer(pool: EncoderPool(model: bert, workers: workers, batchSize: batchSize), labels: chosen, template: template,
                                         lexicalWeight: lexicalWeight)
            return try ScoreOperator(scorer: scorer, context: context)
        }
    }

    /// The sink of whole documents: an index (`index` actions), created if absent with the
    /// settings and mappings of the JSON file `mapping`.
    static let documentsSink = OperatorRegistry.Variant(takes: DocumentKinds.documents, gives: PipelineEnds.finished) { documents, settings, build in
        let path = settings.string("path", default: "-")
        guard path.hasPrefix("http://") || path.hasPrefix("https://") else {
            throw FlowError(.invalidJob, "documents are written to an index (http://HOST:PORT/INDEX), not to \(RedactedAddress.redacted(path))", at: settings.location)
        }
        let sink = try bulkSettings(path, &settings)()
        let mapping = settings.string("mapping", default: "")
        var indexBody: Data?
        if !mapping.isEmpty {
            guard let data = FileManager.default.contents(atPath: mapping), (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                throw FlowError(.invalidJob, "the mapping file \(mapping) is missing or not a JSON object; give a file with the index's settings and mappings", at: settings.location)
            }
            indexBody = data
        }
        let chosenBody = indexBody
        let index = documents.sink("index \(sink.endpoint) (whole documents)", id: build.stepID) { context in
            try ElasticsearchIndexSink(settings: sink, indexBody: chosenBody, context: context)
        }
        endDeadLetters(of: index, sink.deadLetters, build)
    }

    /// The sink of scored documents: a JSON Lines file (one line per document), or an index.
    static let scoredDocumentsSink = OperatorRegistry.Variant(takes: DocumentKinds.scoredDocuments, gives: PipelineEnds.finished) { scored, settings, build in
        let path = settings.string("path", default: "-")
        let bulk = try bulkSettings(path, &settings)
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            let sink = try bulk()
            let index = scored.sink("index \(sink.endpoint) (partial updates)", id: build.stepID) { context in
                try ElasticsearchScoreSink(settings: sink, context: context)
            }
            endDeadLetters(of: index, sink.deadLetters, build)
            return
        }
        guard path != "-" && !path.isEmpty else {
            throw FlowError(.invalidJob, "scored documents need a JSON Lines file or an index (http://HOST:PORT/INDEX)", at: settings.location)
        }
        try build.checkOutput(path, what: "output file", at: settings.location)
        scored.sink("jsonl file \(path)", id: build.stepID) { context in
            RecordFileSink<ScoredDocument>(path: path, header: nil, context: context) { document in
                "{\"id\":\(document.idJSON)" + zip(document.labels, document.scores).map {
                    ",\"\(ClassificationField.name(for: $0))\":\(String(format: "%.6f", $1))"
                }.joined() + "}\n"
            }
        }
    }

    /// Ends an index sink's dead letters in the dead-letter file.
    private static func endDeadLetters(of index: DataStream<Never>, _ file: DeadLetterFile, _ build: BuildContext) {
        guard let records = file.records, let path = file.path else { return }
        build.sideFiles.append(file.side)
        index.sideSink(records, "dead-letter file \(path)", id: "\(build.stepID).dead-letters") { context in try file.sink(context: context) }
    }

    /// An index address with a request timeout.
    private static func endpoint(_ url: String, _ location: FileLocation, timeout: Duration) throws -> ElasticsearchEndpoint {
        var endpoint: ElasticsearchEndpoint
        do { endpoint = try ElasticsearchEndpoint(url: url) } catch let error as FlowError { throw FlowError(.invalidJob, error.message, at: location, cause: error) }
        endpoint.timeout = timeout
        return endpoint
    }

    /// Reads a sink's bulk settings (all of them, whether or not the sink is an index); the
    /// result makes them for the index at `url`.
    private static func bulkSettings(_ url: String, _ settings: inout ResolvedSettings) throws -> () throws -> ElasticsearchBulkSettings {
        let deadLetters = settings.string("dead-letters", default: "dead-letters.jsonl")
        let timeout = try settings.duration("timeout", default: "30s")
        let flushActions = try settings.integer("flush-actions", default: 500, range: 1...100_000)
        let flushInterval = try settings.duration("flush-interval", default: "1s")
        let location = settings.location
        return {
            var bulk = ElasticsearchBulkSettings(endpoint: try endpoint(url, location, timeout: timeout), deadLetters: DeadLetterFile(path: deadLetters))
            bulk.flushActions = flushActions
            bulk.flushInterval = flushInterval
            return bulk
        }
    }

    private static func redisEndpoint(_ url: String, _ location: FileLocation) throws -> RedisEndpoint {
        do { return try RedisEndpoint(url: url) } catch let error as FlowError { throw FlowError(.invalidJob, error.message, at: location, cause: error) }
    }

    /// The top `count` members of a sorted set, highest first (ties by member).
    private static func topLabels(_ endpoint: RedisEndpoint, key: String, count: Int) throws -> [String] {
        var connection: RedisConnection?
        let reply = try RetryPolicy.redis.run(connection: &connection, endpoint: endpoint) { try $0.command(["ZREVRANGE", key, "0", String(count - 1), "WITHSCORES"]) }
        guard case .array(let flat) = reply else { throw FlowError(.external, "Redis at \(endpoint) has no sorted set \(key) (\(reply))") }
        var pairs: [(member: String, score: Double)] = []
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            if case .string(let member) = flat[index], case .string(let score) = flat[index + 1] { pairs.append((member, Double(score) ?? 0)) }
        }
        guard !pairs.isEmpty else { throw FlowError(.external, "Redis at \(endpoint): the sorted set \(key) is empty; run the trending job with -p redis=… first") }
        return pairs.sorted { $0.score != $1.score ? $0.score > $1.score : $0.member.utf8.lexicographicallyPrecedes($1.member.utf8) }.map(\.member)
    }
}
