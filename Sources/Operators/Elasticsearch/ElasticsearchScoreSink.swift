import Flow
import Foundation

/// Writes document scores to an Elasticsearch or OpenSearch index as partial updates by document
/// id (`_bulk` `update` actions with `{"doc": {"classification_<label>": score, …}}`).
///
/// Before the first write it makes sure the index maps `classification_*` fields as `float` (a
/// dynamic template, and the fields themselves), so new labels neither become `long` nor hit the
/// total-fields limit. Actions are flushed by count, by bytes, by time, at each checkpoint barrier
/// and at the end. Each item's result is read: 429 and 5xx items are sent again with jittered
/// exponential backoff within a bounded budget, other failed items go to the dead-letter JSON
/// Lines file with their status and reason; nothing is dropped silently. Updates by id are
/// idempotent, so replays after a restore do no harm (at least once, idempotent).
public final class ElasticsearchScoreSink: ElementReceiver {
    public struct Settings: Sendable {
        public var endpoint: ElasticsearchEndpoint
        public var deadLetters: String
        public var flushActions = 500
        public var flushBytes = 5 << 20
        public var flushInterval: Duration = .seconds(1)
        public var attempts = 8
        public var initialBackoff: Duration = .milliseconds(250)
        public var maximumBackoff: Duration = .seconds(10)

        public init(endpoint: ElasticsearchEndpoint, deadLetters: String) {
            self.endpoint = endpoint
            self.deadLetters = deadLetters
        }
    }

    /// One update: its id (for messages and dead letters) and its two NDJSON lines.
    struct Action {
        var id: String
        var lines: Data
    }

    private let settings: Settings
    private let client: ElasticsearchClient
    private let context: SubtaskContext
    private let clock: any WallClock
    private var pending: [Action] = []
    private var pendingBytes = 0
    private var oldestPending: Double?
    private var updated, retried, deadLettered: TalliedCounter
    private var random = SystemRandomNumberGenerator()
    /// The labels whose fields are mapped as float, and those fields' names.
    private var mappedLabels: [String]?
    private var fieldNames: [String] = []

    public init(settings: Settings, context: SubtaskContext, clock: any WallClock = SystemClock()) throws {
        self.settings = settings
        self.context = context
        self.clock = clock
        client = ElasticsearchClient(settings.endpoint)
        updated = TalliedCounter(context.metrics.counter("es updates"))
        retried = TalliedCounter(context.metrics.counter("es retries"))
        deadLettered = TalliedCounter(context.metrics.counter("es dead letters"))
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            updated.add(try reader.readInt())
            retried.add(try reader.readInt())
            deadLettered.add(try reader.readInt())
        }
    }

    public func receive(_ batch: [ScoredDocument]) throws {
        for document in batch {
            if mappedLabels != document.labels { try ensureMapping(document.labels) }
            let id = Self.documentID(document.idJSON)
            var fields: [String: Any] = [:]
            for (field, score) in zip(fieldNames, document.scores) { fields[field] = score }
            fields[ClassificationField.modelField] = document.model
            var lines = try JSONSerialization.data(withJSONObject: ["update": ["_index": settings.endpoint.index, "_id": id]])
            lines.append(0x0A)
            lines.append(try JSONSerialization.data(withJSONObject: ["doc": fields], options: [.sortedKeys]))
            lines.append(0x0A)
            if pending.isEmpty { oldestPending = clock.now() }
            pending.append(Action(id: id, lines: lines))
            pendingBytes += lines.count
            if pending.count >= settings.flushActions || pendingBytes >= settings.flushBytes { try flush() }
        }
        if let oldest = oldestPending, clock.now() - oldest >= settings.flushInterval.seconds { try flush() }
    }

    public func receive(watermark: EventTime) throws {}

    public func receive(barrier: CheckpointBarrier) throws {
        try flush()
        var state = StateWriter()
        state.write(updated.total)
        state.write(retried.total)
        state.write(deadLettered.total)
        context.acknowledge(barrier, shared: state)
    }

    public func receiveEndOfInput() throws {
        try flush()
        _ = try? client.send("POST", "/\(settings.endpoint.index)/_refresh")
    }

    /// The `_id` for a document id written as JSON: a string's content, a number's digits.
    static func documentID(_ idJSON: String) -> String {
        if idJSON.hasPrefix("\""), let text = try? JSONSerialization.jsonObject(with: Data(idJSON.utf8), options: [.fragmentsAllowed]) as? String { return text }
        return idJSON
    }

    /// Sends the pending actions until each is applied or dead-lettered.
    private func flush() throws {
        var actions = pending
        pending = []
        pendingBytes = 0
        oldestPending = nil
        var delay = settings.initialBackoff
        var attempt = 1
        while !actions.isEmpty {
            var body = Data()
            for action in actions { body.append(action.lines) }
            let retry: [Action]
            do {
                let response = try client.send("POST", "/_bulk", body: body, contentType: "application/x-ndjson")
                retry = try handle(response, for: actions)
            } catch let unavailable as ElasticsearchUnavailable {
                guard attempt < settings.attempts else { throw giveUp(unavailable.description, count: actions.count) }
                retry = actions
            }
            guard !retry.isEmpty else { return }
            guard attempt < settings.attempts else { throw giveUp("\(retry.count) updates were still refused (429/5xx)", count: retry.count) }
            retried.add(retry.count)
            let jittered = Double(delay.milliseconds) * Double.random(in: 0.5...1.0, using: &random)
            usleep(UInt32(jittered * 1000))
            delay = min(delay * 2, settings.maximumBackoff)
            attempt += 1
            actions = retry
        }
    }

    /// Reads a `_bulk` response item by item; returns the actions to send again.
    private func handle(_ response: ElasticsearchClient.Response, for actions: [Action]) throws -> [Action] {
        switch response.status {
        case 200:
            break
        case 429, 502, 503, 504:
            return actions
        case 401, 403:
            throw FlowError(.external, "\(settings.endpoint) refused the credentials (\(response.status): \(response.errorReason)); check ES_USERNAME and ES_PASSWORD, or ES_API_KEY")
        default:
            throw FlowError(.external, "\(settings.endpoint) rejected a bulk request (\(response.status): \(response.errorReason))")
        }
        guard let items = response.json?["items"] as? [[String: Any]], items.count == actions.count else {
            throw FlowError(.external, "\(settings.endpoint) answered a bulk request of \(actions.count) actions without one result per action")
        }
        var retry: [Action] = []
        var letters = ""
        for (action, item) in zip(actions, items) {
            guard let result = item.values.first as? [String: Any] else { continue }
            let status = result["status"] as? Int ?? 0
            guard let error = result["error"] else {
                updated.add(1)
                continue
            }
            if status == 429 || status >= 500 {
                retry.append(action)
            } else {
                let details = error as? [String: Any]
                let letter: [String: Any] = ["id": action.id, "status": status, "type": details?["type"] as? String ?? "",
                                             "reason": details?["reason"] as? String ?? "\(error)",
                                             "action": String(decoding: action.lines, as: UTF8.self)]
                letters += String(decoding: try JSONSerialization.data(withJSONObject: letter, options: [.sortedKeys]), as: UTF8.self) + "\n"
                deadLettered.add(1)
                context.metrics.counter("es dead letters \(status)").add(1)
            }
        }
        if !letters.isEmpty { try appendDeadLetters(letters) }
        return retry
    }

    private func appendDeadLetters(_ text: String) throws {
        let path = settings.deadLetters
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let file = FileHandle(forWritingAtPath: path) else {
            throw FlowError(.output, "cannot write the dead-letter file \(path); check that its folder exists and is writable")
        }
        defer { try? file.close() }
        file.seekToEndOfFile()
        file.write(Data(text.utf8))
    }

    private func giveUp(_ problem: String, count: Int) -> FlowError {
        FlowError(.external, "\(settings.endpoint): \(problem) after \(settings.attempts) attempts; \(count) updates were not applied and the job stops (restore from the last checkpoint to retry)")
    }

    /// Creates the index if it does not exist, with `classification_*` as float and a raised field
    /// limit, and maps this job's fields as float.
    private func ensureMapping(_ labels: [String]) throws {
        let fields = labels.map(ClassificationField.name(for:))
        let index = settings.endpoint.index
        let created = try withRetries {
            try client.send("PUT", "/\(index)", json: [
                "settings": ["index.mapping.total_fields.limit": 10_000],
                "mappings": ["dynamic_templates": [["classification_scores": ["match": "classification_*", "unmatch": ClassificationField.modelField, "mapping": ["type": "float"]]]]],
            ])
        }
        let exists = created.status == 400 && created.errorReason.contains("already exists")
            || (created.json?["error"] as? [String: Any])?["type"] as? String == "resource_already_exists_exception"
        guard created.status == 200 || exists else {
            throw FlowError(.external, "\(settings.endpoint): cannot create the index (\(created.status): \(created.errorReason))")
        }
        var properties = Dictionary(uniqueKeysWithValues: fields.map { ($0, ["type": "float"]) })
        properties[ClassificationField.modelField] = ["type": "keyword"]
        let mapped = try withRetries { try client.send("PUT", "/\(index)/_mapping", json: ["properties": properties]) }
        guard mapped.status == 200 else {
            throw FlowError(.external, "\(settings.endpoint): cannot map the score fields as float (\(mapped.status): \(mapped.errorReason)); an existing field of another type must be removed first")
        }
        mappedLabels = labels
        fieldNames = fields
    }

    private func withRetries(_ request: () throws -> ElasticsearchClient.Response) throws -> ElasticsearchClient.Response {
        var delay = settings.initialBackoff
        for attempt in 1...settings.attempts {
            do {
                let response = try request()
                if [429, 502, 503, 504].contains(response.status) && attempt < settings.attempts {
                    usleep(UInt32(delay.milliseconds * 1000))
                    delay = min(delay * 2, settings.maximumBackoff)
                    continue
                }
                if response.status == 401 || response.status == 403 {
                    throw FlowError(.external, "\(settings.endpoint) refused the credentials (\(response.status): \(response.errorReason)); check ES_USERNAME and ES_PASSWORD, or ES_API_KEY")
                }
                return response
            } catch let unavailable as ElasticsearchUnavailable {
                guard attempt < settings.attempts else { throw giveUp(unavailable.description, count: 0) }
                usleep(UInt32(delay.milliseconds * 1000))
                delay = min(delay * 2, settings.maximumBackoff)
            }
        }
        throw giveUp("no answer", count: 0)
    }
}
