import CKafka
import Flow

/// A consumer of one topic in a consumer group: the group's protocol decides which of the
/// topic's partitions this worker reads, and moves them when a worker dies or joins. The
/// worker's own state follows the assignment; offsets are committed only by the caller.
final class GroupConsumer {
    let client: KafkaClient
    let topic: String
    private var lastAssignmentCheck = -Double.infinity
    /// The partitions the group gave this consumer, as of the last check.
    private(set) var assigned: Set<Int> = []
    private var closed = false

    /// A member of the stage's group (`flow.<job>.<stage>`) reading `topic` at `connection`
    /// (the cluster's brokers unless named).
    init(settings: ClusterSettings, stage: String, topic: String, connection: KafkaConnection? = nil, startAtEnd: Bool = false) throws {
        self.topic = topic
        var properties = [
            "group.id": settings.group(stage),
            "client.id": "flow-\(settings.workerID)-\(stage)",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "true",
            "auto.offset.reset": startAtEnd ? "latest" : "earliest",
            "isolation.level": "read_committed",
            "session.timeout.ms": String(settings.sessionTimeout.milliseconds),
            "heartbeat.interval.ms": String(max(100, settings.sessionTimeout.milliseconds / 6)),
            "queued.max.messages.kbytes": "16384",
            "fetch.wait.max.ms": "10",
        ]
        if settings.staticMembership { properties["group.instance.id"] = "\(settings.workerID)-\(stage)" }
        let connection = connection ?? settings.cluster
        client = try KafkaClient(.consumer, connection: connection, properties: properties)
        // Never destroyed (a worker has three, for its life): rd_kafka_destroy of a group consumer
        // closed after a take-over was seen to wait forever on one of its broker threads
        // (librdkafka 2.16 against Tansu), which would keep a failed worker from exiting.
        _ = Unmanaged.passRetained(client)
        rd_kafka_poll_set_consumer(client.handle)
        let list = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA)
        let error = rd_kafka_subscribe(client.handle, list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw FlowError(.external, "\(connection) refused the subscription to \(topic) (\(String(cString: rd_kafka_err2str(error)))); check the topic and the client's permissions")
        }
    }

    deinit { close() }

    /// The next message (the caller destroys it), or nil after `milliseconds` without one.
    func poll(milliseconds: Int32) -> UnsafeMutablePointer<rd_kafka_message_t>? {
        rd_kafka_consumer_poll(client.handle, milliseconds)
    }

    /// Hands `body` the messages waiting (up to `limit`, waiting `milliseconds` for the first),
    /// destroying each after it.
    func drain(waitingMilliseconds milliseconds: Int32, atMost limit: Int = 4096,
               _ body: (UnsafeMutablePointer<rd_kafka_message_t>) throws -> Void) rethrows {
        var taken = 0
        while taken < limit, let message = poll(milliseconds: taken == 0 ? milliseconds : 0) {
            defer { rd_kafka_message_destroy(message) }
            taken += 1
            try body(message)
        }
    }

    /// Asks the client which partitions it holds now (at most every 100 ms); returns the
    /// partitions gained and lost since the last check.
    func checkAssignment(now: Double, force: Bool = false) -> (gained: Set<Int>, lost: Set<Int>) {
        guard force || now - lastAssignmentCheck >= 0.1 else { return ([], []) }
        lastAssignmentCheck = now
        guard let current = currentAssignment() else { return ([], []) }
        defer { assigned = current }
        return (current.subtracting(assigned), assigned.subtracting(current))
    }

    /// Makes the partitions read on from `offsets` (partition → next offset), whatever the group
    /// had committed: a partition's state, not the group, says where it resumes. Records fetched
    /// before are dropped by librdkafka.
    ///
    /// A partition the client is not fetching yet answers "erroneous state": it is tried again for
    /// up to 5 s. One the group took away meanwhile is left: the next assignment check gives it up.
    func seek(_ offsets: [Int: Int64]) throws {
        var pending = offsets
        let deadline = SystemClock.monotonicSeconds() + 5
        while !pending.isEmpty {
            let notReady = try seekOnce(pending)
            pending = pending.filter { notReady.contains($0.key) }
            guard !pending.isEmpty else { return }
            if let held = currentAssignment() { pending = pending.filter { held.contains($0.key) } }
            guard !pending.isEmpty else { return }
            guard SystemClock.monotonicSeconds() < deadline else {
                throw FlowError(.external, "\(client.connection) refused for 5 s to move the reading of \(topic) partitions \(pending.keys.sorted().map(String.init).joined(separator: ", ")) to the workers' snapshots (the client does not fetch them); restart the worker")
            }
            SystemClock().sleep(seconds: 0.05)
        }
    }

    /// Seeks once; returns the partitions that answered "erroneous state" (not fetched yet).
    private func seekOnce(_ offsets: [Int: Int64]) throws -> Set<Int> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, offset) in offsets {
            rd_kafka_topic_partition_list_add(list, topic, Int32(partition))!.pointee.offset = offset
        }
        if let error = KafkaClient.take(rd_kafka_seek_partitions(client.handle, list, client.connection.timeoutMilliseconds)) {
            throw FlowError(.external, "\(client.connection) refused to move the reading of \(topic) to the workers' snapshots (\(error.text)); restart the worker")
        }
        var notReady: Set<Int> = []
        for index in 0..<Int(list.pointee.cnt) where list.pointee.elems[index].err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let entry = list.pointee.elems[index]
            if entry.err == RD_KAFKA_RESP_ERR__STATE {
                notReady.insert(Int(entry.partition))
                continue
            }
            throw FlowError(.external, "\(client.connection) refused to move the reading of \(topic) partition \(entry.partition) to offset \(entry.offset) (\(String(cString: rd_kafka_err2str(entry.err)))); restart the worker")
        }
        return notReady
    }

    /// The partitions the client holds now (nil when it cannot say).
    private func currentAssignment() -> Set<Int>? {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client.handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return nil }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return Set((0..<Int(list.pointee.cnt)).map { Int(list.pointee.elems[$0].partition) })
    }

    /// The first offset `partition` still holds (older records were deleted by retention).
    func firstOffset(_ partition: Int) throws -> Int64 {
        var low: Int64 = 0, high: Int64 = 0
        let error = rd_kafka_query_watermark_offsets(client.handle, topic, Int32(partition), &low, &high, client.connection.timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw client.unreachable(String(cString: rd_kafka_err2str(error))) }
        return low
    }

    /// Loads each gained partition's state with `load` and makes the consumer read on from the
    /// state's next offset. A partition that no longer holds the records after that offset
    /// (retention deleted them before any snapshot covered them) is an error: counting on would
    /// silently leave them out.
    func resume<State>(_ gained: Set<Int>, settings: ClusterSettings, what: (Int) -> String,
                       load: (Int) throws -> State, nextOffset: (State) -> Int64) throws -> [Int: State] {
        var states: [Int: State] = [:]
        for partition in gained.sorted() {
            let state = try load(partition)
            let first = try firstOffset(partition)
            guard first <= nextOffset(state) else {
                throw FlowError(.missingInput, "\(what(partition)) of job \(settings.jobName) resumes at offset \(nextOffset(state)) of \(topic), but the topic holds records from \(first) on only: retention deleted records no snapshot in \(settings.checkpointFolder) covers (is that folder the one all workers share?); raise the topic's retention, or start the job over with empty topics and folder")
            }
            states[partition] = state
        }
        try seek(states.mapValues(nextOffset))
        return states
    }

    /// Commits `offsets` (partition → next offset to read) to the group, without waiting.
    func commit(_ offsets: [Int: Int64]) {
        guard !offsets.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, offset) in offsets {
            rd_kafka_topic_partition_list_add(list, topic, Int32(partition))!.pointee.offset = offset
        }
        // A commit the group refuses (this worker lost the partition meanwhile) changes nothing:
        // the new owner resumes from the snapshot the commit would have pointed at, or an older one.
        _ = rd_kafka_commit(client.handle, list, 1)
    }

    /// Leaves the group at once, so the others take this worker's partitions without waiting
    /// for its session to time out.
    func close() {
        guard !closed else { return }
        closed = true
        rd_kafka_consumer_close(client.handle)
    }
}
