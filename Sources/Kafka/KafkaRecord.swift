import Flow

/// One record a Kafka sink produces: key and value bytes and a timestamp (milliseconds since
/// 1970, the record's event time).
public struct KafkaRecord: Sendable, Equatable, StateCodable {
    public var key: [UInt8]
    public var value: [UInt8]
    public var timestamp: Int64

    public init(key: [UInt8], value: [UInt8], timestamp: Int64) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
    }

    public func encode(to writer: inout StateWriter) {
        writer.write(bytes: key)
        writer.write(bytes: value)
        writer.write(timestamp)
    }

    public init(from reader: inout StateReader) throws {
        self.init(key: try reader.readBytes(), value: try reader.readBytes(), timestamp: try reader.readInt64())
    }
}

/// How a Kafka sink delivers.
public enum KafkaDelivery: String, Sendable, CaseIterable {
    /// A transaction per checkpoint, committed when the checkpoint completes: a `read_committed`
    /// reader sees each record once, after a crash and restore too.
    case exactlyOnce = "exactly-once"
    /// An idempotent producer flushed at every checkpoint: after a crash and restore, records
    /// since the last checkpoint are produced again.
    case atLeastOnce = "at-least-once"
}
