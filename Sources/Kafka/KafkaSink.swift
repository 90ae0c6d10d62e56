import Flow
import Foundation

/// Where and how a ``KafkaSink`` writes.
public struct KafkaSinkSettings: Sendable {
    public var connection: KafkaConnection
    public var topic: String
    public var delivery = KafkaDelivery.exactlyOnce
    /// The partitions of the topic when the sink creates it.
    public var partitions = 1
    /// The stem of the transactional ids: `<stem>-<subtask>`, stable across restarts.
    public var transactionalIDStem: String
    public var transactionTimeout = Duration.seconds(60)

    public init(connection: KafkaConnection, topic: String, transactionalIDStem: String) {
        self.connection = connection
        self.topic = topic
        self.transactionalIDStem = transactionalIDStem
    }
}

/// Writes records to a Kafka topic, exactly once (``CheckpointTransactions``) or at least once
/// (an idempotent producer flushed at every checkpoint). Without checkpoints, exactly once holds
/// every record until the end of the input and commits them in one transaction.
///
/// Declared state (a split list of one entry): with exactly once, the run's identity and the
/// records of the transaction a checkpoint's snapshot pre-committed; empty with at least once.
public final class KafkaSink<Record: Sendable>: Sink {
    private let settings: KafkaSinkSettings
    private let subtask: Int
    private let records: @Sendable ([Record]) -> [KafkaRecord]
    private var producer: KafkaProducer?
    private var restored: CheckpointTransactions.Restored?
    private let transactions = Locked<CheckpointTransactions?>(nil)
    private let produced: Counter

    /// - Parameter records: the Kafka records for a batch.
    public init(settings: KafkaSinkSettings, context: SubtaskContext, records: @escaping @Sendable ([Record]) -> [KafkaRecord]) {
        self.settings = settings
        self.records = records
        subtask = context.subtaskIndex
        produced = context.metrics.counter("kafka records produced")
        if settings.delivery == .exactlyOnce {
            context.onCheckpointComplete { [transactions] checkpoint in
                transactions.withLock { $0 }?.complete(checkpoint)
            }
        }
    }

    public var declaredState: [StateDeclaration] { [.splitList("transaction")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("transaction").first else { return }
        let run = try reader.readString()
        let records = try reader.readArray(of: KafkaRecord.self)
        // An at-least-once run keeps no transaction.
        if !run.isEmpty { restored = .init(run: run, checkpoint: state.checkpointID, records: records) }
    }

    public func open() throws {
        let exactlyOnce = settings.delivery == .exactlyOnce
        let producer = try KafkaProducer(connection: settings.connection, topic: settings.topic,
                                         transactionalID: exactlyOnce ? "\(settings.transactionalIDStem)-\(subtask)" : nil,
                                         partitions: settings.partitions, transactionTimeout: settings.transactionTimeout)
        self.producer = producer
        if exactlyOnce {
            let started = try CheckpointTransactions(producer: producer, restored: restored, newRun: UUID().uuidString.lowercased())
            transactions.withLock { $0 = started }
        }
    }

    public func process(_ batch: [Record], into output: Collector<Never>) throws {
        let records = self.records(batch)
        produced.add(records.count)
        if let transactions = transactions.withLock({ $0 }) {
            try transactions.add(records)
        } else {
            try producer?.produce(records)
        }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        if let transactions = transactions.withLock({ $0 }) {
            state.write(transactions.run)
            state.write(try transactions.prepare(snapshot.checkpointID))
        } else {
            try producer?.flush()
            state.write("")
            state.write([KafkaRecord]())
        }
        snapshot.add("transaction", state)
    }

    public func onEndOfInput(into output: Collector<Never>) throws {
        if let transactions = transactions.withLock({ $0 }) {
            try transactions.finish()
        } else {
            try producer?.flush()
        }
    }
}
