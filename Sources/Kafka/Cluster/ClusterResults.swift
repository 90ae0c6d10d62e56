import Flow
import Operators

/// Where the merge writes each window's global top K. The merge hands it the results in order,
/// and before it writes its state asks it to make them durable; a merge that takes over first
/// tells it where the state it restored left the output.
public protocol ClusterResults: AnyObject {
    /// Prepares for a merge restored from a state taken when the output stood at `positions`
    /// and every window ending at or before `windowsThrough` had been written.
    func resume(after positions: [Int: Int64], windowsThrough: Int64) throws
    /// Writes `results` (whole windows, in order).
    func write(_ results: [RankedCount]) throws
    /// Makes everything written durable; returns where the output stands now, for the state.
    func deliver(windowsThrough: Int64) throws -> [Int: Int64]
    /// The job ended: everything is delivered; release the connection.
    func finish() throws
}

/// Window results to a Kafka topic, exactly once: a merge that takes over reads the topic back
/// from where its state left it and leaves out the results already there.
final class KafkaClusterResults: ClusterResults {
    private let reader: OutputReader
    private let producer: KafkaProducer
    /// Window results in the topic that the restored state does not know were written.
    private var alreadyWritten: Set<OutputReader.WrittenResult> = []

    init(sink: KafkaSinkSettings, group: String) throws {
        reader = OutputReader(sink: sink, group: group)
        producer = try KafkaProducer(connection: sink.connection, topic: sink.topic, transactionalID: nil,
                                     partitions: sink.partitions, transactionTimeout: .seconds(60))
    }

    func resume(after positions: [Int: Int64], windowsThrough: Int64) throws {
        alreadyWritten = try reader.results(after: positions, windowsAfter: windowsThrough)
    }

    func write(_ results: [RankedCount]) throws {
        var records: [KafkaRecord] = []
        for result in results where !alreadyWritten.contains(OutputReader.WrittenResult(windowEnd: result.windowEnd.milliseconds, rank: result.rank)) {
            records.append(KafkaRecord(key: Array(result.key.string.utf8), value: Array(RankedCountFormat.jsonl.line(result, keyColumn: "hashtag").utf8.dropLast()),
                                       timestamp: result.windowEnd.milliseconds))
        }
        try producer.produce(records)
    }

    func deliver(windowsThrough: Int64) throws -> [Int: Int64] {
        try producer.flush()
        alreadyWritten = alreadyWritten.filter { $0.windowEnd > windowsThrough }
        return try reader.endOffsets()
    }

    func finish() throws { try producer.flush() }
}
