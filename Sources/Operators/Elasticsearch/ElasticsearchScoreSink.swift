import Flow
import Foundation

/// Writes document scores to an Elasticsearch or OpenSearch index as partial updates by document
/// id (`_bulk` `update` actions with `{"doc": {"classification_<label>": score, …}}`).
///
/// Before the first write it makes sure the index maps `classification_*` fields as `float` (a
/// dynamic template, and the fields themselves), so new labels neither become `long` nor hit the
/// total-fields limit. Flushing, retries and dead letters are ``ElasticsearchBulkWriter``'s; it
/// flushes at each checkpoint barrier and at the end. Updates by id are idempotent, so replays
/// after a restore do no harm (at least once, idempotent).
public final class ElasticsearchScoreSink: ElementReceiver {
    private let writer: ElasticsearchBulkWriter
    private let context: SubtaskContext
    /// The labels whose fields are mapped as float, and those fields' names.
    private var mappedLabels: [String]?
    private var fieldNames: [String] = []

    public init(settings: ElasticsearchBulkSettings, context: SubtaskContext, clock: any WallClock = SystemClock()) throws {
        self.context = context
        writer = ElasticsearchBulkWriter(settings: settings, context: context, clock: clock, counter: "es updates", verb: "updates")
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            try writer.restore(&reader)
        }
    }

    public func receive(_ batch: [ScoredDocument]) throws {
        let index = writer.settings.endpoint.index
        for document in batch {
            if mappedLabels != document.labels { try ensureMapping(document.labels) }
            let id = BulkAction.documentID(document.idJSON)
            var fields: [String: Any] = [:]
            for (field, score) in zip(fieldNames, document.scores) { fields[field] = score }
            fields[ClassificationField.modelField] = document.model
            var lines = try JSONSerialization.data(withJSONObject: ["update": ["_index": index, "_id": id]])
            lines.append(0x0A)
            lines.append(try JSONSerialization.data(withJSONObject: ["doc": fields], options: [.sortedKeys]))
            lines.append(0x0A)
            try writer.add(BulkAction(id: id, lines: lines))
        }
        try writer.flushIfDue()
    }

    public func receive(watermark: EventTime) throws {}

    public func receive(barrier: CheckpointBarrier) throws {
        try writer.flush()
        var state = StateWriter()
        writer.write(&state)
        context.acknowledge(barrier, shared: state)
    }

    public func receiveEndOfInput() throws {
        try writer.flush()
        _ = try? writer.client.send("POST", "/\(writer.settings.endpoint.index)/_refresh")
    }

    /// Creates the index if it does not exist, with `classification_*` as float and a raised field
    /// limit, and maps this job's fields as float.
    private func ensureMapping(_ labels: [String]) throws {
        let fields = labels.map(ClassificationField.name(for:))
        try writer.createIndexIfAbsent(JSONSerialization.data(withJSONObject: [
            "settings": ["index.mapping.total_fields.limit": 10_000], "mappings": ClassificationField.dynamicMapping,
        ]))
        var properties = Dictionary(uniqueKeysWithValues: fields.map { ($0, ["type": "float"]) })
        properties[ClassificationField.modelField] = ["type": "keyword"]
        let mapped = try writer.withRetries { try writer.client.send("PUT", "/\(writer.settings.endpoint.index)/_mapping", json: ["properties": properties]) }
        guard mapped.status == 200 else {
            throw FlowError(.external, "\(writer.settings.endpoint): cannot map the score fields as float (\(mapped.status): \(mapped.errorReason)); an existing field of another type must be removed first")
        }
        mappedLabels = labels
        fieldNames = fields
    }
}
