import Flow
import Foundation

/// Reads every document of an Elasticsearch or OpenSearch index, in the order of a unique sort
/// field (default `id`): with a point in time and `search_after` in the server's dialect
/// (Elasticsearch `POST /INDEX/_pit`, OpenSearch `POST /INDEX/_search/point_in_time`), or with a
/// scroll where neither is available. Sorting on a unique field, not on the point in time's
/// internal order, lets a restored job go on after the last document it emitted in a new point in
/// time: its checkpoint state is that document's sort values.
public final class ElasticsearchDocumentSource: SourceRunner {
    public struct Settings: Sendable {
        public var endpoint: ElasticsearchEndpoint
        public var idField = "id"
        public var textFields = ["text"]
        public var sortField = "id"
        public var pageSize = 500
        /// How failed requests and 429/5xx answers are sent again: 6 attempts, 250 ms doubling.
        public var retry = RetryPolicy(attempts: 6, firstDelay: .milliseconds(250), maximumDelay: .seconds(10))

        public init(endpoint: ElasticsearchEndpoint) { self.endpoint = endpoint }
    }

    private let settings: Settings
    private let output: Output<Document>
    private let context: SubtaskContext
    private let client: ElasticsearchClient
    /// The sort values of the last document emitted (JSON), and how many were emitted.
    private var after: Any?
    private var emitted = 0

    public init(settings: Settings, output: Output<Document>, context: SubtaskContext) throws {
        self.settings = settings
        self.output = output
        self.context = context
        client = ElasticsearchClient(settings.endpoint)
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            emitted = try reader.readCounter()
            let json = try reader.readString()
            after = json.isEmpty ? nil : try JSONSerialization.jsonObject(with: Data(json.utf8))
        }
    }

    public func run() throws {
        let isOpenSearch = try request("GET", "/", nil).json.flatMap { ($0["version"] as? [String: Any])?["distribution"] as? String } == "opensearch"
        let index = settings.endpoint.indexPath
        let opened = try request("POST", isOpenSearch ? "\(index)/_search/point_in_time?keep_alive=2m" : "\(index)/_pit?keep_alive=2m", nil)
        guard opened.status == 200, var pit = opened.json?[isOpenSearch ? "pit_id" : "id"] as? String else {
            guard opened.status != 404 || !opened.errorReason.contains("no such index") else { throw missingIndex(opened) }
            return try readByScroll()
        }
        defer {
            _ = try? client.send("DELETE", isOpenSearch ? "/_search/point_in_time" : "/_pit", json: isOpenSearch ? ["pit_id": [pit]] : ["id": pit])
        }
        context.metrics.counter("documents").add(emitted)
        while true {
            var body: [String: Any] = ["size": settings.pageSize, "pit": ["id": pit, "keep_alive": "2m"], "track_total_hits": false,
                                       "sort": [[settings.sortField: ["order": "asc"]]], "_source": [settings.idField, "classification_*"] + settings.textFields]
            if let after { body["search_after"] = after }
            let page = try request("POST", "/_search", body)
            guard page.status == 200, let json = page.json else {
                throw FlowError(.external, "\(settings.endpoint): reading a page failed (\(page.status): \(page.errorReason))")
            }
            if let newer = json["pit_id"] as? String { pit = newer }
            let hits = (json["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []
            if hits.isEmpty { break }
            try emit(hits)
            after = hits.last?["sort"]
            if try checkpointIfDue() { return }
        }
        try output.emitEndOfInput()
    }

    private func readByScroll() throws {
        let index = settings.endpoint.indexPath
        var page = try request("POST", "\(index)/_search?scroll=2m", ["size": settings.pageSize, "sort": [[settings.sortField: ["order": "asc"]]],
                                                                       "_source": [settings.idField, "classification_*"] + settings.textFields])
        var skip = emitted
        context.metrics.counter("documents").add(emitted)
        while true {
            guard page.status == 200, let json = page.json, let scroll = json["_scroll_id"] as? String else {
                if page.status == 404 { throw missingIndex(page) }
                throw FlowError(.external, "\(settings.endpoint): reading by scroll failed (\(page.status): \(page.errorReason))")
            }
            var hits = (json["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []
            if hits.isEmpty {
                _ = try? client.send("DELETE", "/_search/scroll", json: ["scroll_id": scroll])
                break
            }
            let skipped = min(skip, hits.count)
            hits.removeFirst(skipped)
            skip -= skipped
            if !hits.isEmpty {
                try emit(hits)
                if try checkpointIfDue() { return }
            }
            page = try request("POST", "/_search/scroll", ["scroll": "2m", "scroll_id": scroll])
        }
        try output.emitEndOfInput()
    }

    private func emit(_ hits: [[String: Any]]) throws {
        for hit in hits {
            let source = hit["_source"] as? [String: Any] ?? [:]
            let fallback = try JSONSerialization.data(withJSONObject: hit["_id"] as? String ?? "", options: [.fragmentsAllowed])
            let id = source[settings.idField].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) } ?? fallback
            let text = settings.textFields.compactMap { source[$0] as? String }.filter { !$0.isEmpty }.joined(separator: ". ")
            let scored = Document.scores(in: source)
            output.emit(Document(idJSON: String(decoding: id, as: UTF8.self), text: text, scoredFields: scored.fields, scoredBy: scored.model))
        }
        try output.flush()
        emitted += hits.count
        context.metrics.counter("documents").add(hits.count)
    }

    private func checkpointIfDue() throws -> Bool {
        guard let barrier = context.checkpoints?.barrierIfDue() else { return false }
        var state = StateWriter()
        state.write(emitted)
        state.write(after.flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? "")
        context.acknowledge(barrier, shared: state, position: "\(settings.endpoint) after \(emitted) documents")
        try output.emit(barrier: barrier)
        return barrier.isSavepoint
    }

    private func request(_ method: String, _ path: String, _ body: Any?) throws -> ElasticsearchClient.Response {
        do {
            return try client.send(retrying: settings.retry) { try client.send(method, path, json: body) }
        } catch let exhausted as RetryPolicy.Exhausted {
            throw FlowError(.external, "\(settings.endpoint) is unreachable (\(exhausted.lastError)); check that the server runs and the address is right")
        }
    }

    private func missingIndex(_ response: ElasticsearchClient.Response) -> FlowError {
        FlowError(.missingInput, "\(settings.endpoint): there is no such index (\(response.errorReason)); index the movies first or check the name")
    }
}
