import Flow
import Foundation

/// Where a Kafka client connects and how it authenticates: a broker list from the job file, and
/// credentials only from the environment, never printed.
///
/// - `FLOW_KAFKA_USERNAME` / `FLOW_KAFKA_PASSWORD`: SASL credentials (mechanism
///   `FLOW_KAFKA_SASL_MECHANISM`, PLAIN unless set: SCRAM-SHA-256, SCRAM-SHA-512).
/// - `FLOW_KAFKA_CA_FILE`: connect with TLS, trusting this CA certificate file.
public struct KafkaConnection: Sendable, CustomStringConvertible {
    /// `host:port[,host:port…]`.
    public var brokers: String
    var username: String?
    var password: String?
    var saslMechanism: String
    var caFile: String?
    /// How long a metadata request or a topic creation may take before the broker counts as unreachable.
    public var timeoutMilliseconds: Int32 = 10_000

    public init(brokers: String, environment: [String: String]) throws {
        let trimmed = brokers.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw FlowError(.invalidJob, "kafka brokers \"\(brokers.prefix(60))\" is not a list of HOST:PORT; write brokers: 127.0.0.1:9092")
        }
        self.brokers = trimmed
        username = environment["FLOW_KAFKA_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        password = environment["FLOW_KAFKA_PASSWORD"]
        saslMechanism = environment["FLOW_KAFKA_SASL_MECHANISM"].flatMap { $0.isEmpty ? nil : $0 } ?? "PLAIN"
        caFile = environment["FLOW_KAFKA_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if username != nil && password == nil {
            throw FlowError(.invalidJob, "FLOW_KAFKA_USERNAME is set but FLOW_KAFKA_PASSWORD is not; set both for SASL, or neither")
        }
    }

    /// The client properties for these brokers and credentials.
    var properties: [String: String] {
        var properties = ["bootstrap.servers": brokers, "client.id": "flow"]
        let tls = caFile != nil
        if let username, let password {
            properties["security.protocol"] = tls ? "sasl_ssl" : "sasl_plaintext"
            properties["sasl.mechanisms"] = saslMechanism
            properties["sasl.username"] = username
            properties["sasl.password"] = password
        } else if tls {
            properties["security.protocol"] = "ssl"
        }
        if let caFile { properties["ssl.ca.location"] = caFile }
        return properties
    }

    /// The brokers, for messages and plans (credentials are never shown).
    public var description: String { "Kafka at \(brokers)" }
}
