import Flow
@testable import Kafka
import Testing
import TweetLog

/// The Kafka connector's parsing: start positions, credentials from the environment only (never
/// shown), and the tweet id a replay keys records by.
struct KafkaSettingsTests {
    @Test func startsAreEarliestLatestOrATime() {
        #expect(KafkaStart("earliest") == .earliest)
        #expect(KafkaStart("latest") == .latest)
        #expect(KafkaStart("1609459200000") == .timestamp(1_609_459_200_000))
        #expect(KafkaStart("2021-01-01T00:00:00Z") == .timestamp(1_609_459_200_000))
        #expect(KafkaStart("yesterday") == nil)
        #expect(KafkaStart("-5") == nil)
    }

    @Test func credentialsComeFromTheEnvironmentAndAreNeverShown() throws {
        let connection = try KafkaConnection(brokers: "kafka-1:9093,kafka-2:9093",
                                             environment: ["FLOW_KAFKA_USERNAME": "flow", "FLOW_KAFKA_PASSWORD": "s3cret", "FLOW_KAFKA_CA_FILE": "/etc/ca.pem"])
        #expect(connection.properties["security.protocol"] == "sasl_ssl")
        #expect(connection.properties["sasl.mechanisms"] == "PLAIN")
        #expect(connection.properties["sasl.password"] == "s3cret")
        #expect(connection.properties["ssl.ca.location"] == "/etc/ca.pem")
        #expect(!connection.description.contains("s3cret") && connection.description == "Kafka at kafka-1:9093,kafka-2:9093")
        let plain = try KafkaConnection(brokers: " 127.0.0.1:9092 ", environment: [:])
        #expect(plain.brokers == "127.0.0.1:9092" && plain.properties["security.protocol"] == nil)
        #expect(throws: FlowError.self) { try KafkaConnection(brokers: "", environment: [:]) }
        #expect(throws: FlowError.self) { try KafkaConnection(brokers: "host:1", environment: ["FLOW_KAFKA_USERNAME": "flow"]) }
    }

    @Test func aTweetsIdIsItsIdStrOrIdOrDataId() {
        func id(_ line: String) -> String? {
            Array(line.utf8).withUnsafeBufferPointer { TweetID.find(in: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(id(#"{"id":1344908468193435649,"id_str":"1344908468193435649","text":"x"}"#) == "1344908468193435649")
        #expect(id(#"{"text":"x","id":42}"#) == "42")
        #expect(id(#"{"data":{"id":"1850","text":"x"},"includes":{}}"#) == "1850")
        #expect(id(#"{"id":null,"id_str":"7"}"#) == "7")
        #expect(id(#"{"delete":{"status":{"id":1}}}"#) == nil)
        #expect(id(#"{"id":"#) == nil)
        #expect(id("[1,2]") == nil)
    }
}
