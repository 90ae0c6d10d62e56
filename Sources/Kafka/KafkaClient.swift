import CKafka
import Flow

/// One librdkafka client (a producer or a consumer) and what its callbacks saw. librdkafka is
/// thread-safe; the client is shared by the thread that uses it and the checkpoint writer's.
final class KafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    let connection: KafkaConnection
    private let events: OpaquePointer

    enum Kind { case producer, consumer }

    /// A client for `connection` with `properties` added to its own (they win).
    init(_ kind: Kind, connection: KafkaConnection, properties: [String: String]) throws {
        self.connection = connection
        guard let conf = rd_kafka_conf_new(), let events = flow_kafka_events_new() else {
            throw FlowError(.internal, "librdkafka could not allocate a client configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in connection.properties.merging(properties, uniquingKeysWith: { $1 }) {
            guard rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                flow_kafka_events_free(events)
                let shown = name.contains("password") ? "" : " = \(value.prefix(80))"
                throw FlowError(.invalidJob, "the Kafka client setting \(name)\(shown) is refused (\(Self.text(errorText))); check the job's kafka settings and FLOW_KAFKA_* variables")
            }
        }
        guard let handle = flow_kafka_new(kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, events, &errorText, errorText.count) else {
            flow_kafka_events_free(events)
            throw FlowError(.invalidJob, "librdkafka could not start a client for \(connection) (\(Self.text(errorText))); check the kafka settings")
        }
        self.handle = handle
        self.events = events
    }

    deinit {
        rd_kafka_destroy(handle)
        flow_kafka_events_free(events)
    }

    /// The partitions of `topic`, or nil when the broker does not know the topic. Throws when no
    /// broker answers in time.
    func partitionCount(_ topic: String) throws -> Int? {
        var errorText = [CChar](repeating: 0, count: 512)
        let count = flow_kafka_partition_count(handle, topic, connection.timeoutMilliseconds, &errorText, errorText.count)
        if count == -2 { throw unreachable(Self.text(errorText)) }
        return count < 0 ? nil : Int(count)
    }

    /// Creates `topic` with `partitions` partitions (log-compacted when `compacted`) unless it exists.
    func createTopic(_ topic: String, partitions: Int, compacted: Bool = false) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        let code = flow_kafka_create_topic(handle, topic, Int32(partitions), compacted ? 1 : 0, connection.timeoutMilliseconds, &errorText, errorText.count)
        guard code == 0 else {
            throw FlowError(.external, "\(connection) did not create the topic \(topic) with \(partitions) partitions (\(Self.text(errorText))); create it by hand, or check the broker's permissions")
        }
    }

    /// The error for a broker that did not answer, with the last error the client logged.
    func unreachable(_ reason: String) -> FlowError {
        let last = lastError
        let detail = last.isEmpty || last == reason ? reason : "\(reason): \(last)"
        return FlowError(.external, "cannot reach \(connection) (\(detail)) within \(connection.timeoutMilliseconds / 1000) s; check that the broker runs and that brokers: names it")
    }

    /// Messages whose delivery failed, and the first one's reason.
    var failedDeliveries: (count: Int, firstError: String) {
        var text = [CChar](repeating: 0, count: 256)
        flow_kafka_first_delivery_error(events, &text, text.count)
        return (flow_kafka_failed_deliveries(events), Self.text(text))
    }

    /// Whether the client hit a fatal error, such as a producer fenced by a newer one.
    var isFatal: Bool { flow_kafka_is_fatal(events) != 0 }

    /// The last error the client reported through its callback (empty when none).
    var lastError: String {
        var text = [CChar](repeating: 0, count: 512)
        flow_kafka_last_error(events, &text, text.count)
        return Self.text(text)
    }

    static func text(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Takes a librdkafka error object: nil when there was none, else its text and what may follow.
    static func take(_ error: OpaquePointer?) -> (code: Int32, text: String, retriable: Bool, abortable: Bool)? {
        guard let error else { return nil }
        var text = [CChar](repeating: 0, count: 512)
        var retriable: Int32 = 0, abortable: Int32 = 0
        let code = flow_kafka_take_error(error, &text, text.count, &retriable, &abortable)
        return (code, Self.text(text), retriable != 0, abortable != 0)
    }
}
