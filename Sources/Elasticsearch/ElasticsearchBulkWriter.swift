import Flow
import Foundation
import Operators

/// How a sink writes to an index with `_bulk`: where refused actions go, when to flush, how long
/// to keep retrying.
public struct ElasticsearchBulkSettings: Sendable {
    public var endpoint: ElasticsearchEndpoint
    /// The dead-letter file for actions the index refused for good (4xx) or answered with a
    /// malformed result (the sinks' side output).
    public var deadLetters: DeadLetterFile
    public var flushActions = 500
    public var flushBytes = 5 << 20
    public var flushInterval: Duration = .seconds(1)
    /// How failed requests and 429/5xx items are sent again: 8 attempts, 250 ms doubling up to
    /// 10 s, each delay up to half shorter at random.
    public var retry = RetryPolicy(attempts: 8, firstDelay: .milliseconds(250), maximumDelay: .seconds(10), jitter: 0.5)

    public init(endpoint: ElasticsearchEndpoint, deadLetters: DeadLetterFile) {
        self.endpoint = endpoint
        self.deadLetters = deadLetters
    }
}

/// One `_bulk` action: its kind (`update`, `index`), the document id (for messages and dead
/// letters) and its NDJSON lines.
struct BulkAction {
    var kind: String
    var id: String
    var lines: Data

    /// The `_id` for a document id written as JSON: a string's content, a number's digits.
    static func documentID(_ idJSON: String) -> String {
        if idJSON.hasPrefix("\""), let text = try? JSONSerialization.jsonObject(with: Data(idJSON.utf8), options: [.fragmentsAllowed]) as? String { return text }
        return idJSON
    }
}

/// Queues `_bulk` actions and sends them until each is applied or dead-lettered.
///
/// Flushes by count, bytes and age, and whenever its sink asks (at checkpoints and the end). Each
/// item's result is read (``BulkItemOutcome``): 429 and 5xx items are sent again with jittered
/// exponential backoff within a bounded number of attempts, other failed or malformed items go to
/// the dead letters' side output with status, type and reason, counted per reason; nothing is dropped
/// silently. An answer without exactly one item per action is a failed request, sent again like a
/// 503. When the budget is spent the job stops with one sentence, and the last checkpoint still
/// holds every unconfirmed action.
final class ElasticsearchBulkWriter {
    let settings: ElasticsearchBulkSettings
    let client: ElasticsearchClient
    private let metrics: OperatorMetrics
    private let clock: any WallClock
    private let verb: String
    private var pending: [BulkAction] = []
    private var pendingBytes = 0
    private var oldestPending: Double?
    private let applied, retried, deadLettered: Counter
    private let deadLetters: Collector<DeadLetter>?

    /// `counter` names the applied actions in the summary ("es updates", "es indexed").
    init(settings: ElasticsearchBulkSettings, context: SubtaskContext, clock: any WallClock, counter: String, verb: String) {
        self.settings = settings
        self.clock = clock
        self.verb = verb
        metrics = context.metrics
        client = ElasticsearchClient(settings.endpoint)
        applied = context.metrics.counter(counter)
        retried = context.metrics.counter("es retries")
        deadLettered = context.metrics.counter("es dead letters")
        deadLetters = settings.deadLetters.records.map { context.sideOutput($0) }
    }

    /// The summary counter of dead letters for one reason.
    static func deadLetterCounter(_ reason: String) -> String { "es dead letters (\(reason))" }

    /// Queues one action: its `{"<kind>": {"_index", "_id"}}` line, then `body` as the next line.
    func add(_ kind: String, id: String, body: some Sequence<UInt8>) throws {
        var lines = try JSONSerialization.data(withJSONObject: [kind: ["_index": settings.endpoint.index, "_id": id]])
        lines.append(0x0A)
        lines.append(contentsOf: body)
        lines.append(0x0A)
        try add(BulkAction(kind: kind, id: id, lines: lines))
    }

    private func add(_ action: BulkAction) throws {
        if pending.isEmpty { oldestPending = clock.now() }
        pending.append(action)
        pendingBytes += action.lines.count
        if pending.count >= settings.flushActions || pendingBytes >= settings.flushBytes { try flush() }
    }

    /// Flushes when the oldest queued action has waited the flush interval.
    func flushIfDue() throws {
        if let oldest = oldestPending, clock.now() - oldest >= settings.flushInterval.seconds { try flush() }
    }

    /// Flushes and refreshes the index, so that searches see every action.
    func finish() throws {
        try flush()
        _ = try? client.send("POST", "\(settings.endpoint.indexPath)/_refresh")
    }

    /// Sends the queued actions until each is applied or dead-lettered; those still unavailable
    /// or refused with 429/5xx are sent again as `settings.retry` says.
    func flush() throws {
        var actions = pending
        pending = []
        pendingBytes = 0
        oldestPending = nil
        guard !actions.isEmpty else { return }
        do {
            try settings.retry.run(retryingIf: { $0 is ElasticsearchUnavailable || $0 is ItemsToRetry }, willRetry: { _, _ in retried.add(actions.count) }) {
                var body = Data()
                for action in actions { body.append(action.lines) }
                let response = try client.send("POST", "/_bulk", body: body, contentType: "application/x-ndjson")
                actions = try handle(response, for: actions)
                if !actions.isEmpty { throw ItemsToRetry() }
            }
        } catch let exhausted as RetryPolicy.Exhausted {
            let problem = exhausted.lastError is ItemsToRetry ? "\(actions.count) \(verb) were still refused (429/5xx)" : "\(exhausted.lastError)"
            throw giveUp(problem, after: exhausted.attempts, count: actions.count)
        }
    }

    /// Some items of a bulk request were answered 429/5xx: they are sent again.
    private struct ItemsToRetry: Error {}

    /// Reads a `_bulk` response item by item; returns the actions to send again.
    /// - Throws: ``ElasticsearchUnavailable`` for an answer without one item per action (sent
    ///   again whole), ``FlowError`` for a refused request.
    private func handle(_ response: ElasticsearchClient.Response, for actions: [BulkAction]) throws -> [BulkAction] {
        switch response.status {
        case 200:
            break
        case 429, 502, 503, 504:
            return actions
        case 401, 403:
            throw client.refusedCredentials(response)
        default:
            throw FlowError(.external, "\(settings.endpoint) rejected a bulk request (\(response.status): \(response.errorReason))")
        }
        guard let items = response.json?["items"] as? [Any], items.count == actions.count else {
            let answered = (response.json?["items"] as? [Any]).map { "\($0.count) results" } ?? "no list of results"
            throw ElasticsearchUnavailable(description: "answered a bulk request of \(actions.count) actions with \(answered)")
        }
        var retry: [BulkAction] = []
        for (action, item) in zip(actions, items) {
            switch BulkItemOutcome(item: item, kind: action.kind) {
            case .applied: applied.add(1)
            case .retry: retry.append(action)
            case .refused(let status, let type, let reason): sendDeadLetter(action, status: status, type: type, reason: reason)
            }
        }
        return retry
    }

    /// Sends a dead letter to the side output and counts it under "status type" (the type alone
    /// for a malformed result).
    private func sendDeadLetter(_ action: BulkAction, status: Int, type: String, reason: String) {
        let summaryReason = status == 0 ? type : type.isEmpty ? "\(status)" : "\(status) \(type)"
        deadLetters?.emit(DeadLetter(id: action.id, status: status, type: type, reason: reason, action: String(decoding: action.lines, as: UTF8.self)))
        deadLettered.add(1)
        metrics.counter(Self.deadLetterCounter(summaryReason)).add(1)
    }

    func giveUp(_ problem: String, after attempts: Int, count: Int) -> FlowError {
        FlowError(.external, "\(settings.endpoint): \(problem) after \(attempts) attempts; \(count) \(verb) were not applied and the job stops (restore from the last checkpoint to retry)")
    }

    /// Sends one request (creating or mapping the index), retrying 429/5xx answers and transport
    /// failures as `settings.retry` says.
    func withRetries(_ request: () throws -> ElasticsearchClient.Response) throws -> ElasticsearchClient.Response {
        do {
            return try client.send(retrying: settings.retry, request)
        } catch let exhausted as RetryPolicy.Exhausted {
            throw giveUp("\(exhausted.lastError)", after: exhausted.attempts, count: 0)
        }
    }

    /// Creates the index with `body` (settings and mappings) unless it exists already.
    func createIndexIfAbsent(_ body: Data) throws {
        let created = try withRetries { try client.send("PUT", settings.endpoint.indexPath, body: body, contentType: "application/json") }
        let exists = created.status == 400 && created.errorReason.contains("already exists")
            || (created.json?["error"] as? [String: Any])?["type"] as? String == "resource_already_exists_exception"
        guard created.status == 200 || exists else {
            throw FlowError(.external, "\(settings.endpoint): cannot create the index (\(created.status): \(created.errorReason))")
        }
    }
}
