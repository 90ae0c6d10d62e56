import Flow
import Foundation

/// Where a Kafka source starts reading a partition that no checkpoint places.
public enum KafkaStart: Sendable, Equatable, CustomStringConvertible {
    case earliest
    case latest
    /// The first record whose timestamp is at or after this time (milliseconds since 1970).
    case timestamp(Int64)

    /// `earliest`, `latest`, milliseconds since 1970, or an ISO 8601 time (`2021-01-01T00:29:00Z`).
    public init?(_ text: String) {
        switch text {
        case "earliest": self = .earliest
        case "latest": self = .latest
        default:
            if let milliseconds = Int64(text), milliseconds >= 0 {
                self = .timestamp(milliseconds)
            } else if let date = ISO8601DateFormatter().date(from: text), date.timeIntervalSince1970 >= 0 {
                self = .timestamp(Int64(date.timeIntervalSince1970 * 1000))
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .earliest: "earliest"
        case .latest: "latest"
        case .timestamp(let milliseconds): "\(milliseconds) ms"
        }
    }
}
