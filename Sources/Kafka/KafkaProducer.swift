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

    /// Queues `records` (copies) for the topic (or `target`), waiting while librdkafka's queue is full.
    func produce(_ records: [KafkaRecord], to target: String? = nil, partition: Int32 = RD_KAFKA_PARTITION_UA) throws {
        for record in records {
            while true {
                let error = record.key.withUnsafeBytes { key in
                    record.value.withUnsafeBytes { value in
                        flow_kafka_produce(client.handle, target ?? topic, partition, key.baseAddress, key.count, value.baseAddress, value.count, record.timestamp)
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

    /// The topic of commit markers: one record per transaction committed, keyed by the run,
    /// its value the checkpoint id; log-compacted, so it keeps each run's last one.
    var markerTopic: String { topic + "-flow-commits" }

    /// Creates the marker topic unless it exists.
    func prepareMarkers() throws {
        if try client.partitionCount(markerTopic) == nil { try client.createTopic(markerTopic, partitions: 1, compacted: true) }
    }

    /// Queues a record of `marker` under `key` in the marker topic, in the open transaction: it is
    /// visible exactly when the transaction's records are.
    func produceMarker(_ marker: Int64, key: String) throws {
        try produce([KafkaRecord(key: Array(key.utf8), value: Array(String(marker).utf8), timestamp: 0)], to: markerTopic, partition: 0)
    }

    /// Commits the open transaction.
    func commitTransaction() throws {
        try run("could not commit a transaction") { rd_kafka_commit_transaction(client.handle, Int32(connection.timeoutMilliseconds) * 6) }
        try checkDeliveries()
    }

    /// The marker under `key` of the last committed transaction, if any: the marker topic read to its end
    /// with `read_committed`.
    func committedMarker(key markerKey: String) throws -> Int64? {
        let reader = try KafkaClient(.consumer, connection: connection, properties: [
            "group.id": "flow-marker-reader", "enable.auto.commit": "false", "isolation.level": "read_committed", "enable.partition.eof": "true",
        ])
        let partitions = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(partitions) }
        rd_kafka_topic_partition_list_add(partitions, markerTopic, 0)!.pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        guard rd_kafka_assign(reader.handle, partitions) == RD_KAFKA_RESP_ERR_NO_ERROR else { throw failure("could not read its commit markers", "assign failed") }
        defer { _ = rd_kafka_assign(reader.handle, nil) }
        let key = Array(markerKey.utf8)
        var marker: Int64?
        let deadline = SystemClock().now() + Double(connection.timeoutMilliseconds) / 1000 * 3
        while SystemClock().now() < deadline {
            guard let message = rd_kafka_consumer_poll(reader.handle, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return marker }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let messageKey = UnsafeRawBufferPointer(start: message.pointee.key, count: message.pointee.key == nil ? 0 : message.pointee.key_len)
            guard messageKey.elementsEqual(key), let payload = message.pointee.payload else { continue }
            let value = String(decoding: UnsafeRawBufferPointer(start: payload, count: message.pointee.len), as: UTF8.self)
            if let checkpoint = Int64(value) { marker = max(marker ?? checkpoint, checkpoint) }
        }
        throw reader.unreachable("its commit markers in \(markerTopic) were not read to their end")
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
