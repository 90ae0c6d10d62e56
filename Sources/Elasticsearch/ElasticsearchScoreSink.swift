import Flow
import Foundation
import Scoring

/// Writes document scores to an Elasticsearch or OpenSearch index as partial updates by document
/// id (`_bulk` `update` actions with `{"doc": {"classification_<label>": score, …}}`).
///
/// Before the first write it makes sure the index maps `classification_*` fields as `float` (a
/// dynamic template, and the fields themselves), so new labels neither become `long` nor hit the
/// total-fields limit. Flushing, retries and dead letters are ``ElasticsearchBulkWriter``'s; it
/// flushes at each checkpoint and at the end. Updates by id are idempotent, so replays
/// after a restore do no harm (at least once, idempotent).
public final class ElasticsearchScoreSink: Sink {
    private let writer: ElasticsearchBulkWriter
    /// The labels whose fields are mapped as float, and those fields' names.
    private var mappedLabels: [String]?
    private var fieldNames: [String] = []

    public init(settings: ElasticsearchBulkSettings, context: SubtaskContext, clock: any WallClock = SystemClock()) throws {
        writer = ElasticsearchBulkWriter(settings: settings, context: context, clock: clock, counter: "es updates", verb: "updates")
    }

    public func process(_ batch: [ScoredDocument], into output: Collector<Never>) throws {
        for document in batch {
            if mappedLabels != document.labels { try ensureMapping(document.labels) }
            let id = BulkAction.documentID(document.idJSON)
            var fields: [String: Any] = [:]
            for (field, score) in zip(fieldNames, document.scores) { fields[field] = score }
            fields[ClassificationField.modelField] = document.model
            try writer.add("update", id: id, body: try JSONSerialization.data(withJSONObject: ["doc": fields], options: [.sortedKeys]))
        }
        try writer.flushIfDue()
    }

    /// Flushes: a checkpoint covers every action before it.
    /// Queued actions do not wait longer than the job's buffer timeout (sooner than the flush interval).
    public func onBufferTimeout() throws { try writer.flush() }

    public func snapshotState(into snapshot: inout StateSnapshot) throws { try writer.flush() }

    public func onEndOfInput(into output: Collector<Never>) throws { try writer.finish() }

    /// Creates the index if it does not exist, with `classification_*` as float and a raised field
    /// limit, and maps this job's fields as float.
    private func ensureMapping(_ labels: [String]) throws {
        let fields = try ClassificationField.names(for: labels)
        try writer.createIndexIfAbsent(JSONSerialization.data(withJSONObject: [
            "settings": ["index.mapping.total_fields.limit": 10_000], "mappings": ClassificationField.dynamicMapping,
        ]))
        var properties: [String: Any] = [:]
        for field in fields { properties[field] = ["type": "float"] }
        properties[ClassificationField.modelField] = ["type": "keyword"]
        let mapped = try writer.withRetries { try writer.client.send("PUT", "\(writer.settings.endpoint.indexPath)/_mapping", json: ["properties": properties]) }
        guard mapped.status == 200 else {
            throw FlowError(.external, "\(writer.settings.endpoint): cannot map the score fields as float (\(mapped.status): \(mapped.errorReason)); an existing field of another type must be removed first")
        }
        mappedLabels = labels
        fieldNames = fields
    }
}
