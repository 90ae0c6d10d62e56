import Flow
import Foundation
import Scoring

/// Reads every document of an Elasticsearch or OpenSearch index, in the order of a unique sort
/// field (default `id`): with a point in time and `search_after` in the server's dialect
/// (Elasticsearch `POST /INDEX/_pit`, OpenSearch `POST /INDEX/_search/point_in_time`), or with a
/// scroll where neither is available. Sorting on a unique field, not on the point in time's
/// internal order, lets a restored job go on after the last document it emitted in a new point in
/// time: its declared state (a split list of one entry) is that document's sort values. Each poll
/// reads one page.
public final class ElasticsearchDocumentSource: Source {
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

    /// How the index is being read.
    private enum Reading {
        case pointInTime(id: String, isOpenSearch: Bool)
        /// A scroll (nil before its first page), skipping the documents a restored job emitted before.
        case scroll(id: String?, skip: Int)
    }

    private let settings: Settings
    private let client: ElasticsearchClient
    private let documents: Counter
    private var reading: Reading?
    /// The sort values of the last document emitted (JSON), and how many were emitted.
    private var after: Any?
    private var emitted = 0

    public init(settings: Settings, context: SubtaskContext) {
        self.settings = settings
        client = ElasticsearchClient(settings.endpoint)
        documents = context.metrics.counter("documents")
    }

    deinit {
        if case .pointInTime(let pit, let isOpenSearch) = reading { closePointInTime(pit, isOpenSearch: isOpenSearch) }
    }

    public var declaredState: [StateDeclaration] { [.splitList("position")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("position").first else { return }
        emitted = try reader.readCounter()
        let json = try reader.readString()
        after = json.isEmpty ? nil : try JSONSerialization.jsonObject(with: Data(json.utf8))
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(emitted)
        state.write(after.flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? "")
        snapshot.add("position", state)
        snapshot.position = "\(settings.endpoint) after \(emitted) documents"
    }

    public func poll(into output: Collector<Document>, pacing: ReplayClock?) throws -> SourceStatus {
        switch try reading ?? start() {
        case .pointInTime(let pit, let isOpenSearch):
            return try readPage(pointInTime: pit, isOpenSearch: isOpenSearch, into: output)
        case .scroll(let scroll, let skip):
            return try readPage(scroll: scroll, skip: skip, into: output)
        }
    }

    /// Opens a point in time in the server's dialect, or falls back to a scroll.
    private func start() throws -> Reading {
        let isOpenSearch = try request("GET", "/", nil).json.flatMap { ($0["version"] as? [String: Any])?["distribution"] as? String } == "opensearch"
        let index = settings.endpoint.indexPath
        let opened = try request("POST", isOpenSearch ? "\(index)/_search/point_in_time?keep_alive=2m" : "\(index)/_pit?keep_alive=2m", nil)
        guard opened.status == 200, let pit = opened.json?[isOpenSearch ? "pit_id" : "id"] as? String else {
            guard opened.status != 404 || !opened.errorReason.contains("no such index") else { throw missingIndex(opened) }
            return .scroll(id: nil, skip: emitted)
        }
        return .pointInTime(id: pit, isOpenSearch: isOpenSearch)
    }

    private func readPage(pointInTime pit: String, isOpenSearch: Bool, into output: Collector<Document>) throws -> SourceStatus {
        var body: [String: Any] = ["size": settings.pageSize, "pit": ["id": pit, "keep_alive": "2m"], "track_total_hits": false,
                                   "sort": [[settings.sortField: ["order": "asc"]]], "_source": [settings.idField, "classification_*"] + settings.textFields]
        if let after { body["search_after"] = after }
        let page = try request("POST", "/_search", body)
        guard page.status == 200, let json = page.json else {
            throw FlowError(.external, "\(settings.endpoint): reading a page failed (\(page.status): \(page.errorReason))")
        }
        let current = json["pit_id"] as? String ?? pit
        let hits = (json["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []
        guard !hits.isEmpty else {
            reading = nil
            closePointInTime(current, isOpenSearch: isOpenSearch)
            return .finished
        }
        reading = .pointInTime(id: current, isOpenSearch: isOpenSearch)
        try emit(hits, into: output)
        after = hits.last?["sort"]
        return .ready
    }

    private func readPage(scroll: String?, skip: Int, into output: Collector<Document>) throws -> SourceStatus {
        let page = if let scroll {
            try request("POST", "/_search/scroll", ["scroll": "2m", "scroll_id": scroll])
        } else {
            try request("POST", "\(settings.endpoint.indexPath)/_search?scroll=2m", ["size": settings.pageSize, "sort": [[settings.sortField: ["order": "asc"]]],
                                                                                      "_source": [settings.idField, "classification_*"] + settings.textFields])
        }
        guard page.status == 200, let json = page.json, let next = json["_scroll_id"] as? String else {
            if page.status == 404 { throw missingIndex(page) }
            throw FlowError(.external, "\(settings.endpoint): reading by scroll failed (\(page.status): \(page.errorReason))")
        }
        var hits = (json["hits"] as? [String: Any])?["hits"] as? [[String: Any]] ?? []
        guard !hits.isEmpty else {
            _ = try? client.send("DELETE", "/_search/scroll", json: ["scroll_id": next])
            reading = nil
            return .finished
        }
        let skipped = min(skip, hits.count)
        hits.removeFirst(skipped)
        reading = .scroll(id: next, skip: skip - skipped)
        if !hits.isEmpty { try emit(hits, into: output) }
        return .ready
    }

    private func closePointInTime(_ pit: String, isOpenSearch: Bool) {
        _ = try? client.send("DELETE", isOpenSearch ? "/_search/point_in_time" : "/_pit", json: isOpenSearch ? ["pit_id": [pit]] : ["id": pit])
    }

    private func emit(_ hits: [[String: Any]], into output: Collector<Document>) throws {
        for hit in hits {
            let source = hit["_source"] as? [String: Any] ?? [:]
            let fallback = try JSONSerialization.data(withJSONObject: hit["_id"] as? String ?? "", options: [.fragmentsAllowed])
            let id = source[settings.idField].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) } ?? fallback
            let text = settings.textFields.compactMap { source[$0] as? String }.filter { !$0.isEmpty }.joined(separator: ". ")
            let scored = Document.scores(in: source)
            output.emit(Document(idJSON: String(decoding: id, as: UTF8.self), text: text, scoredFields: scored.fields, scoredBy: scored.model))
        }
        emitted += hits.count
        documents.add(hits.count)
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
