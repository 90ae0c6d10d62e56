import Flow
import Foundation
import Scoring

/// Writes whole documents into an Elasticsearch or OpenSearch index: `_bulk` `index` actions with
/// `_id` = the document's id, replacing any document with that id.
///
/// Before the first write it creates the index, if absent, with the given settings and mappings
/// (by default only `classification_*` fields as `float`). Flushing, retries and dead letters (a side
/// output, ``DeadLetterFile``) are ``ElasticsearchBulkWriter``'s; it flushes at each checkpoint and at the end, and
/// refreshes the index at the end so that searches see every document.
public final class ElasticsearchIndexSink: Sink {
    private let writer: ElasticsearchBulkWriter
    private let indexBody: Data
    private var indexReady = false

    /// `indexBody` is the `PUT /INDEX` body (`settings`, `mappings`) used when the index is absent.
    public init(settings: ElasticsearchBulkSettings, indexBody: Data?, context: SubtaskContext, clock: any WallClock = SystemClock()) throws {
        self.indexBody = try indexBody ?? JSONSerialization.data(withJSONObject: ["mappings": ClassificationField.dynamicMapping])
        writer = ElasticsearchBulkWriter(settings: settings, context: context, clock: clock, counter: "es indexed", verb: "documents")
    }

    public func process(_ batch: [Document], into output: Collector<Never>) throws {
        if !indexReady {
            try writer.createIndexIfAbsent(indexBody)
            indexReady = true
        }
        for document in batch {
            guard let source = document.sourceJSON else {
                throw FlowError(.invalidJob, "documents to index must keep their whole source; set keep-source: true on the documents step")
            }
            try writer.add("index", id: BulkAction.documentID(document.idJSON), body: source.utf8)
        }
        try writer.flushIfDue()
    }

    /// Flushes: a checkpoint covers every action before it.
    /// Queued actions do not wait longer than the job's buffer timeout (sooner than the flush interval).
    public func onBufferTimeout() throws { try writer.flush() }

    public func snapshotState(into snapshot: inout StateSnapshot) throws { try writer.flush() }

    public func onEndOfInput(into output: Collector<Never>) throws { try writer.finish() }
}
