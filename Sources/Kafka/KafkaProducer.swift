import CKafka
import Flow

/// A producer to one topic: idempotent, and transactional when it has a transactional id.
/// Every failure is a ``FlowError`` naming the broker and what to do.
final class KafkaProducer: Sendable {
    let topic: String
    let transactionalID: String?
    private let client: KafkaClient
    private var connection: KafkaConnection { client.connection }

    /// - Parameter partitions: the partitions of `topic` if this producer creates it.
    init(connection: KafkaConnection, topic: String, transactionalID: String?, partitions: Int, transactionTimeout: Duration) throws {
        self.topic = topic
        self.transactionalID = transactionalID
        // The sink creates a missing topic itself, with the partitions asked for.
        var properties = ["enable.idempotence": "true", "linger.ms": "5", "allow.auto.create.topics": "false"]
        if let transactionalID {
            properties["transactional.id"] = transactionalID
            properties["transaction.timeout.ms"] = String(transactionTimeout.milliseconds)
        }
        client = try KafkaClient(.producer, connection: connection, properties: properties)
        if try client.partitionCount(topic) == nil {
            try client.createTopic(topic, partitions: partitions)
        }
    }

    /// Queues `records` (copies), waiting while librdkafka's queue is full.
    func produce(_ records: [KafkaRecord]) throws {
        for record in records {
            while true {
                let error = record.key.withUnsafeBytes { key in
                    record.value.withUnsafeBytes { value in
                        flow_kafka_produce(client.handle, topic, RD_KAFKA_PARTITION_UA, key.baseAddress, key.count, value.baseAddress, value.count, record.timestamp)
                    }
                }
                if error == RD_KAFKA_RESP_ERR_NO_ERROR { break }
                guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw failure("could not queue a record", String(cString: rd_kafka_err2str(error))) }
                rd_kafka_poll(client.handle, 10)
            }
        }
        rd_kafka_poll(client.handle, 0)
        try checkDeliveries()
    }

    /// Waits until every queued record is acknowledged.
    func flush() throws {
        var error = RD_KAFKA_RESP_ERR_NO_ERROR
        for _ in 0..<12 {
            error = rd_kafka_flush(client.handle, 10_000)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR || client.isFatal { break }
        }
        try checkDeliveries()
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw client.unreachable("records not acknowledged in 2 minutes") }
    }

    func initTransactions() throws {
        try run("could not start its transactions") { rd_kafka_init_transactions(client.handle, Int32(connection.timeoutMilliseconds) * 6) }
    }

    func beginTransaction() throws {
        try run("could not begin a transaction") { rd_kafka_begin_transaction(client.handle) }
    }

    /// Commits the open transaction with `marker` as the offset of `group` (partition 0 of the
    /// topic), in the same transaction.
    func commitTransaction(marker: Int64, group: String) throws {
        let offsets = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(offsets) }
        rd_kafka_topic_partition_list_add(offsets, topic, 0)!.pointee.offset = marker
        let metadata = rd_kafka_consumer_group_metadata_new(group)
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        let timeout = Int32(connection.timeoutMilliseconds) * 6
        try run("could not add the checkpoint marker to a transaction") { rd_kafka_send_offsets_to_transaction(client.handle, offsets, metadata, timeout) }
        try run("could not commit a transaction") { rd_kafka_commit_transaction(client.handle, timeout) }
        try checkDeliveries()
    }

    /// The marker the last committed transaction wrote for `group`, if any.
    func committedMarker(group: String) throws -> Int64? {
        let reader = try KafkaClient(.consumer, connection: connection, properties: ["group.id": group, "enable.auto.commit": "false", "isolation.level": "read_committed"])
        let offsets = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(offsets) }
        let entry = rd_kafka_topic_partition_list_add(offsets, topic, 0)!
        var error = RD_KAFKA_RESP_ERR_NO_ERROR
        for _ in 0..<30 {
            error = rd_kafka_committed(reader.handle, offsets, connection.timeoutMilliseconds)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR { error = entry.pointee.err }
            // Offsets of a transaction still being aborted are unstable for a moment.
            guard error == RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT else { break }
            SystemClock().sleep(seconds: 0.2)
        }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw failure("could not read the last committed checkpoint of \(group)", String(cString: rd_kafka_err2str(error))) }
        return entry.pointee.offset >= 0 ? entry.pointee.offset : nil
    }

    private func run(_ what: String, _ call: () -> OpaquePointer?) throws {
        guard let error = KafkaClient.take(call()) else { return }
        if client.isFatal || error.code == RD_KAFKA_RESP_ERR__FENCED.rawValue || error.code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue {
            throw FlowError(.external, "the Kafka producer \(transactionalID ?? "") \(what): \(error.text); another run of this job with the same transactional id took over (fenced), stop one of them")
        }
        throw failure(what, error.text)
    }

    private func checkDeliveries() throws {
        let failed = client.failedDeliveries
        guard failed.count == 0 else { throw failure("lost \(failed.count) records", failed.firstError) }
    }

    private func failure(_ what: String, _ reason: String) -> FlowError {
        FlowError(.external, "\(connection) \(what) for topic \(topic) (\(reason)); check the broker, then restore the job from its last checkpoint")
    }
}
