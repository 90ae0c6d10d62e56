import Foundation

/// What one item of a `_bulk` answer says about its action: applied, to be sent again, or refused
/// for good (a dead letter, with its reason).
///
/// An item must be `{"<kind>": {"status": <HTTP status>, …}}` for the action's kind. Anything else
/// (`{"update": "odd"}`, a missing or impossible status, another kind) is refused as a malformed
/// result: whether the server applied the action is unknown, so it is set aside with the item as
/// its reason rather than counted as applied or dropped.
enum BulkItemOutcome: Equatable {
    case applied
    /// 429 or 5xx: the action is sent again after a backoff.
    case retry
    /// `status` is 0 for a malformed result.
    case refused(status: Int, type: String, reason: String)

    /// The type of a refusal whose item was malformed.
    static let malformedType = "malformed_result"

    init(item: Any, kind: String) {
        guard let object = item as? [String: Any], object.count == 1, let result = object[kind] as? [String: Any],
              let status = result["status"] as? Int, (100...599).contains(status) else {
            self = .refused(status: 0, type: Self.malformedType, reason: "the server's result for this \(kind) action is malformed: \(Self.excerpt(item))")
            return
        }
        if status == 429 || status >= 500 {
            self = .retry
        } else if let error = result["error"] {
            let details = error as? [String: Any]
            self = .refused(status: status, type: details?["type"] as? String ?? "", reason: details?["reason"] as? String ?? Self.excerpt(error))
        } else if (200...299).contains(status) {
            self = .applied
        } else {
            self = .refused(status: status, type: "", reason: "status \(status) without an error: \(Self.excerpt(item))")
        }
    }

    /// The JSON of part of an answer, cut to 300 characters, for a reason.
    private static func excerpt(_ value: Any) -> String {
        let json = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "\(type(of: value))"
        return json.count > 300 ? String(json.prefix(300)) + "…" : json
    }
}
