import CKafka
import Flow

/// Reads back the job's output topic, for a merge that takes over: which window results are
/// already there.
struct OutputReader {
    let sink: KafkaSinkSettings
    /// The group the reading client names (it commits nothing).
    let group: String

    /// One window result, by its window and rank.
    struct WrittenResult: Hashable {
        var windowEnd: Int64
        var rank: Int
    }

    /// Each output partition's end offset now (a broker may report it lower than it is, which
    /// only makes a later read start earlier).
    func endOffsets() throws -> [Int: Int64] {
        let client = try KafkaClient(.consumer, connection: sink.connection, properties: ["group.id": group])
        guard let count = try client.partitionCount(sink.topic) else { return [:] }
        var offsets: [Int: Int64] = [:]
        for partition in 0..<count {
            var low: Int64 = 0, high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(client.handle, sink.topic, Int32(partition), &low, &high, sink.connection.timeoutMilliseconds)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw client.unreachable(String(cString: rd_kafka_err2str(error))) }
            offsets[partition] = high
        }
        return offsets
    }

    /// The (window end, rank) of every result in the output from `offsets` on (the beginning of
    /// partitions not named) whose window ends after `windowsAfter`.
    func results(after offsets: [Int: Int64], windowsAfter: Int64) throws -> Set<WrittenResult> {
        let client = try KafkaClient(.consumer, connection: sink.connection, properties: [
            "group.id": group, "enable.partition.eof": "true", "enable.auto.commit": "false",
            "isolation.level": "read_committed", "auto.offset.reset": "earliest", "fetch.wait.max.ms": "10",
        ])
        guard let count = try client.partitionCount(sink.topic), count > 0 else { return [] }
        let list = rd_kafka_topic_partition_list_new(Int32(count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<count {
            rd_kafka_topic_partition_list_add(list, sink.topic, Int32(partition))!.pointee.offset = offsets[partition] ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        guard rd_kafka_assign(client.handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw FlowError(.external, "\(sink.connection) refused a read of \(sink.topic); check the client's permissions")
        }
        defer { rd_kafka_assign(client.handle, nil) }
        var found: Set<WrittenResult> = []
        var ended = Set<Int>()
        var silentPolls = 0
        while ended.count < count {
            guard let message = rd_kafka_consumer_poll(client.handle, 100) else {
                silentPolls += 1
                if silentPolls * 100 > Int(sink.connection.timeoutMilliseconds) { throw client.unreachable("no end of \(sink.topic) reached") }
                continue
            }
            defer { rd_kafka_message_destroy(message) }
            silentPolls = 0
            if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                ended.insert(Int(message.pointee.partition))
                continue
            }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let payload = UnsafeBufferPointer(start: message.pointee.payload?.assumingMemoryBound(to: UInt8.self), count: message.pointee.payload == nil ? 0 : message.pointee.len)
            if let result = Self.windowAndRank(payload), result.windowEnd > windowsAfter { found.insert(result) }
        }
        return found
    }

    /// The window end and rank at the start of a result Flow wrote:
    /// `{"window_end_ms":E,"rank":R,…`; nil for anything else.
    static func windowAndRank(_ bytes: UnsafeBufferPointer<UInt8>) -> WrittenResult? {
        var index = 0
        func expect(_ text: String) -> Bool {
            for byte in text.utf8 {
                guard index < bytes.count, bytes[index] == byte else { return false }
                index += 1
            }
            return true
        }
        func number() -> Int64? {
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
            var value: Int64 = 0, digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), digits < 18 {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            return digits == 0 ? nil : (negative ? -value : value)
        }
        guard expect("{\"window_end_ms\":"), let end = number(), expect(",\"rank\":"), let rank = number(), rank > 0, rank <= Int64(Int32.max) else { return nil }
        return WrittenResult(windowEnd: end, rank: Int(rank))
    }
}
